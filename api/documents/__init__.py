"""Documents made from the service's answers, for the pages and the CLI alike: the LKjIP
(XLSX, PDF) and the inspectorate's audit export (a folder, or a ZIP of it)."""
