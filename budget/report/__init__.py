"""The annual self-evaluation report: its structure, the PDF, the Word file and the three
.xlsx attachments, and the job that builds them onto an AnnualReport run."""
