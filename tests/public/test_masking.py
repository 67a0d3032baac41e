import pytest

from core.masking import mask_address, mask_id_number, mask_name, mask_phone


@pytest.mark.parametrize(
    ("name", "masked"),
    [("张三丰", "张*丰"), ("李四", "李*"), ("欧阳小明", "欧阳*明"), ("王", "*")],
)
def test_names_keep_the_surname_and_at_most_the_last_character(name, masked):
    assert mask_name(name) == masked


def test_id_numbers_keep_two_and_four_characters_and_never_the_birth_date():
    masked = mask_id_number("43050219800101123X")
    assert masked == "43************123X"
    assert "1980" not in masked and "0101" not in masked


@pytest.mark.parametrize(
    ("phone", "masked"), [("13812345678", "138****5678"), ("0739-1234567", "0739-***4567")]
)
def test_phones_keep_their_ends(phone, masked):
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("六岭路12号3栋2单元401室", "六岭路12号3栋***"),
        ("青云街8号201室", "青云街8号***"),
        ("六岭路3号4栋", "六岭路3号***"),
        ("六岭路12号楼", "六岭路***"),
        ("西湖路5号", "西湖路***"),
        ("5号", "***"),
        ("", "***"),
    ],
)
def test_addresses_stop_at_the_building_and_never_show_the_households_own_number(address, masked):
    assert mask_address(address) == masked
