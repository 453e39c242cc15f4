"""Everything a user opens: the Excel workbooks (:mod:`.excel`, :mod:`.status_excel`,
the Theo dõi form :mod:`.tracking_sheet`), Word letters and tables from the sandboxed templates
(:mod:`.word`, :mod:`.reminders`, :mod:`.templates`), JSON and CSV (:mod:`.export`), the calendar
(:mod:`.ics`), LibreOffice and PDF (:mod:`.office`), and the one place that reaches past openpyxl's
public API (:mod:`.xlsx_seam`). Writers read the pivot; none of them loads YAML."""
