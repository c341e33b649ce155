"""What every print does to its text, without the database: the document kinds, the verification code and
the stamp it puts on the spec, the page count. One copy shared by the ordinary print (app.services.printing)
and the quick preview of a frozen text (app.services.quick_print), so both print the same bytes.

No SQLAlchemy and no reportlab here (the quick path imports this before it decides to render).
"""

from __future__ import annotations

import re
from dataclasses import replace

from app.documents.spec import DocumentSpec, verification_code
from app.i18n import N_, _

PRINT_KINDS = {
    "agreement": N_("Agreement"),
    "supplementary": N_("Supplementary agreement"),
    "assessment_notice": N_("Assessment-result notice"),
    "acceptance_form": N_("Acceptance form"),
}
ALIASES = {"notice": "assessment_notice", "acceptance": "acceptance_form", "contract": "agreement",
           "community": "agreement"}
FROZEN_KINDS = ("agreement", "supplementary")  # the documents whose text is frozen for signature


def stamped(spec: DocumentSpec, number: str, kind: str) -> tuple[DocumentSpec, str, str]:
    """(the spec as printed, its canonical text, its verification code): the code is computed from the
    agreement's number and the canonical text, and printed with its QR payload and the PDF's subject."""
    canonical = spec.canonical()
    code = verification_code(number, canonical)
    return (replace(spec, verification_code=code, qr_payload=f"SPDESK-VERIFY:{code}",
                    meta_subject=f"{number} {_(PRINT_KINDS[kind])}"), canonical, code)


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b(?!s)", pdf))
