"""Images: opened with Pillow under the policy's pixel limit, verified, and
re-encoded in their own format without metadata (EXIF, comments, ICC, text
chunks), which also drops anything appended after the image data.

Animated GIFs keep their first frame only: the uses are logos and icons, and
one frame bounds the decoding work by the pixel limit.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

from uploads.errors import refuse
from uploads.policies import Kind

PIL_FORMATS = {Kind.JPEG: "JPEG", Kind.PNG: "PNG", Kind.GIF: "GIF", Kind.BMP: "BMP"}


def reencode_image(content: bytes, kind: Kind, *, max_pixels: int, extension: str) -> tuple[bytes, int, int]:
    """Returns (clean bytes, width, height) or raises the rule's ValidationError."""
    with warnings.catch_warnings():
        # Our own limit is checked explicitly below; Pillow's warning is noise here.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(content)) as probe:
                if probe.format != PIL_FORMATS[kind]:
                    raise refuse("mismatch", extension=extension)
                width, height = probe.size
                if width * height > max_pixels:
                    raise refuse("too_many_pixels", limit=f"{max_pixels:,}")
                probe.verify()
            # verify() leaves the image unusable: open again to decode the pixels.
            with Image.open(io.BytesIO(content)) as image:
                image.load()
                return _save_clean(image, kind), width, height
        except Image.DecompressionBombError:
            raise refuse("too_many_pixels", limit=f"{max_pixels:,}") from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
            raise refuse("image_broken") from None


def _save_clean(image: Image.Image, kind: Kind) -> bytes:
    out = io.BytesIO()
    options: dict = {}
    if kind is Kind.JPEG:
        # Apply the EXIF rotation before the EXIF goes, so photos stay upright.
        image = ImageOps.exif_transpose(image)
        if image.mode not in ("RGB", "L", "CMYK"):
            image = image.convert("RGB")
        options = {"quality": 90}
    elif "transparency" in image.info and kind in (Kind.PNG, Kind.GIF):
        options = {"transparency": image.info["transparency"]}
    fresh = image.copy()
    fresh.info = {}
    fresh.save(out, format=PIL_FORMATS[kind], **options)
    return out.getvalue()
