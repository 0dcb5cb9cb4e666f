"""The malformed corpus against the shared upload checks (issue 15;
uploads.validation.check_upload), under a policy allowing every kind: a file
named with an extension its bytes are not is refused with a Japanese
message — never another exception."""

from __future__ import annotations

from collections import Counter

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.security.upload_corpus import corpus
from uploads.policies import Kind, UploadPolicy
from uploads.validation import check_upload

POLICY = UploadPolicy(purpose="security.corpus", kinds=frozenset(Kind), max_bytes=25 * 1024 * 1024)
EXTENSIONS = ("png", "jpg", "gif", "bmp", "pdf", "docx", "xlsx", "pptx", "doc", "xls")
# What each corpus kind really is: naming it so is not an attack.
TRUE_TYPE = {
    "png": "png",
    "pixel-bomb": None,
    "jpeg": "jpg",
    "gif": "gif",
    "gifar": "gif",
    "pdf": "pdf",
    "pdf-csv-polyglot": "pdf",
}


def test_check_upload_refuses_every_mismatched_file(capsys):
    refused: Counter[str] = Counter()
    problems = []
    probes = 0
    for kind, name, content in corpus(size=60):
        for ext in EXTENSIONS:
            if TRUE_TYPE.get(kind) == ext:
                continue
            probes += 1
            upload = SimpleUploadedFile(f"{name}.{ext}", content, "application/octet-stream")
            try:
                check_upload(upload, policy=POLICY)
            except ValidationError as exc:
                if not exc.messages or not exc.messages[0]:
                    problems.append(f"{kind}.{ext}: refused without a message")
                refused[kind] += 1
            except Exception as exc:  # noqa: BLE001 - the point of the test
                problems.append(f"{kind}.{ext}: {type(exc).__name__}: {exc}")
            else:
                problems.append(f"{kind}.{ext}: accepted")
    with capsys.disabled():
        print(f"\ncheck_upload corpus: {probes} probes, {sum(refused.values())} refused")
    assert probes >= 300
    assert not problems, "\n".join(problems[:40])
