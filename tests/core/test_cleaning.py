"""The one image cleaner (core.uploads.clean_image) and the one Markdown sanitiser (core.markdown)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from portal.core import uploads
from portal.core.markdown import markdown_html


def _jpeg_with_exif(size=(64, 48)) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "KameraRahasia"
    exif[0x8825] = {2: (6.0, 7.0, 8.0)}
    buf = io.BytesIO()
    Image.new("RGB", size, "red").save(buf, format="JPEG", exif=exif.tobytes())
    return buf.getvalue()


def test_clean_image_drops_metadata_and_keeps_the_type():
    out = uploads.clean_image(_jpeg_with_exif())
    assert (out.content_type, out.width, out.height) == (uploads.JPEG, 64, 48)
    assert b"KameraRahasia" not in out.data and b"Exif" not in out.data


@pytest.mark.parametrize("fmt", ["PNG", "WEBP", "JPEG"])
def test_clean_image_converts_and_downscales(fmt):
    buf = io.BytesIO()
    Image.new("RGBA" if fmt != "JPEG" else "RGB", (300, 100), "blue").save(buf, format=fmt)
    out = uploads.clean_image(buf.getvalue(), to=uploads.JPEG, max_side=150)
    assert (out.content_type, out.width, out.height) == (uploads.JPEG, 150, 50)
    assert out.data.startswith(b"\xff\xd8\xff")


@pytest.mark.parametrize("data", [b"<svg onload=alert(1)>", b"GIF89a" + b"\0" * 20, b"\xff\xd8\xff" + b"x" * 20])
def test_clean_image_refuses_what_is_not_a_readable_image(data):
    with pytest.raises(uploads.UploadError):
        uploads.clean_image(data)


def test_markdown_is_rendered_and_sanitised():
    html = markdown_html("## Judul\n\n**tebal** <script>alert(1)</script> [x](javascript:alert(1)) [y](https://a.id)")
    assert "<h2>Judul</h2>" not in html and "<strong>tebal</strong>" in html
    assert "<script" not in html and "javascript:" not in html and 'href="https://a.id"' in html
    assert "<h3>Judul</h3>" in markdown_html("## Judul", shift_headings=True)
    assert "<h3>Judul</h3>" in markdown_html("# Judul", shift_headings=True)
    assert markdown_html("   ") == ""
    assert "<h2>Judul</h2>" in markdown_html("## Judul", tags={"h2"})
