// 整栋全选: a checkbox with data-select-all ticks or clears the enabled checkboxes of its
// group (the closest [data-group]). Without JavaScript the box is still sent and the server
// takes the whole building.
document.addEventListener("change", function (event) {
  var box = event.target;
  if (!box.matches || !box.matches("input[data-select-all]")) return;
  var group = box.closest("[data-group]");
  if (!group) return;
  group.querySelectorAll("input[name=flats]:not(:disabled)").forEach(function (flat) {
    flat.checked = box.checked;
  });
});
