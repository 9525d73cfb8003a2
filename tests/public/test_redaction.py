"""The anonymisation module: many spellings, and property-based tests that nothing survives."""

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.complaints.redaction import EMAIL_MASK, NAME_MASK, NIK_MASK, PHONE_MASK, redact

PHONES = [
    "081234567890", "0812-3456-7890", "0812 3456 7890", "0812.3456.7890", "+6281234567890", "+62 812 3456 7890",
    "+62-812-3456-7890", "+62.812.3456.7890", "6281234567890", "62 812 3456 7890", "0062 812 3456 7890",
    "+62 (0)812 3456 7890", "(0812) 3456 7890", "0857-1234-567", "08 12 34 56 78 90", "+62 21 5551234",
    "021-5551234", "(021) 555 1234", "(0254) 200123", "0254 200 123", "0254-200123",
]
NIKS = ["3601010101010001", "3601 0101 0101 0001", "3601.0101.0101.0001", "3601-0101-0101-0001",
        "36 01 01 01 01 01 00 01"]
EMAILS = ["budi@example.com", "Budi.Hartono+lapor@mail.contoh.go.id", "x_y-z@sub.domain.co.id",
          "budi [at] gmail [dot] com", "budi(at)gmail.com"]


@pytest.mark.parametrize("phone", PHONES)
def test_phone_spellings(phone):
    out = redact(f"Hubungi saya di {phone} setiap hari.")
    assert PHONE_MASK in out
    assert not re.search(r"\d{3}", out), out


@pytest.mark.parametrize("nik", NIKS)
def test_nik_spellings(nik):
    out = redact(f"NIK saya {nik}, mohon dibantu.")
    assert NIK_MASK in out
    assert not re.search(r"\d", out), out


@pytest.mark.parametrize("email", EMAILS)
def test_email_spellings(email):
    out = redact(f"Kirim jawaban ke {email} ya.")
    assert EMAIL_MASK in out and "@" not in out and "gmail" not in out.replace("[email]", ""), out


def test_reporter_name_and_its_parts_anywhere():
    out = redact("Saya Budi Hartono. BUDI sudah lapor; hartono juga. Pak Budi-Hartono. Bu Ani.",
                 names=["Budi Hartono"])
    assert "budi" not in out.lower() and "hartono" not in out.lower()
    assert out.count(NAME_MASK) >= 4
    assert "Ani" in out  # other names stay


def test_short_name_parts_and_words_inside_other_words_stay():
    out = redact("Al melapor: Nur tentang Nurani dan jalan Sriwijaya.", names=["Al Nur Sri"])
    assert out.startswith("Al melapor") and "Nurani" in out and "Sriwijaya" in out
    assert "Nur " not in out


def test_reporter_own_values_are_removed_literally():
    out = redact("kode 3 6 0 1 0 1 0 1 0 1 0 1 0 0 0 1 x", values=["3601010101010001"])
    assert "0 0 0 1" not in out


def test_dates_times_money_and_short_numbers_survive():
    text = ("Tanggal 05-04-2024 pukul 09.30, 2024-04-05 10:15, Rp 15.000.000.000, RT 03/RW 05, "
            "jalan nomor 12, 3 hari, tahun 2024.")
    assert redact(text) == text


def test_empty_and_none():
    assert redact(None) == "" and redact("") == ""


# --- property-based: no generated NIK, phone or e-mail survives --------------------------------

words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz ", min_size=0, max_size=30)
seps = st.sampled_from(["", " ", "-", "."])


@st.composite
def niks(draw):
    digits = draw(st.text(alphabet="0123456789", min_size=16, max_size=16))
    sep = draw(seps)
    groups = draw(st.sampled_from([(4, 4, 4, 4), (2, 2, 2, 6, 4), (16,), (6, 6, 4)]))
    out, i = [], 0
    for g in groups:
        out.append(digits[i:i + g])
        i += g
    return sep.join(out)


@st.composite
def phones(draw):
    prefix = draw(st.sampled_from(["08", "+628", "628", "+62 8", "62 8", "+62-8", "0062 8", "+62 (0)8"]))
    body = draw(st.text(alphabet="0123456789", min_size=8, max_size=11))
    sep = draw(seps)
    size = draw(st.integers(min_value=2, max_value=4))
    parts = [body[i:i + size] for i in range(0, len(body), size)]
    return prefix + draw(st.sampled_from(["", sep])) + sep.join(parts)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(before=words, after=words, nik=niks())
def test_no_generated_nik_survives(before, after, nik):
    out = redact(f"{before} {nik} {after}")
    assert not re.search(r"\d", out), (nik, out)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(before=words, after=words, phone=phones())
def test_no_generated_phone_survives(before, after, phone):
    out = redact(f"{before} {phone} {after}")
    assert not re.search(r"\d{2}", out), (phone, out)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(before=words, after=words, email=st.emails())
def test_no_generated_email_survives(before, after, email):
    out = redact(f"{before} {email} {after}")
    assert email not in out and "@" not in out, (email, out)


@settings(max_examples=200, deadline=None)
@given(first=st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=10),
       last=st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=10), before=words)
def test_no_generated_name_part_survives(first, last, before):
    name = f"{first.title()} {last.title()}"
    out = redact(f"{before} saya {name}. {first.upper()} menunggu; {last}.", names=[name])
    for part in (first, last):
        assert not re.search(rf"(?<![a-z]){part}(?![a-z])", out.lower().replace(NAME_MASK, " ")), (name, out)
