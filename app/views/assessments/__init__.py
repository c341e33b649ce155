"""Assessment screens: the checklist form, the agreement's assessments and payments tabs, the Assessments page."""
