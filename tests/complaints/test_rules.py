"""One function per rule: status sets, category-norm inheritance, tracking numbers, phone numbers."""

from __future__ import annotations

import re

import pytest

from portal.complaints import tracking
from portal.complaints.contact import ContactError, is_valid_phone, normalise_phone
from portal.complaints.models import DEFAULT_NORM, OPEN_SQL, Status, inherited_norm


def test_open_and_closed_statuses_partition_the_statuses():
    assert set(Status) == Status.OPEN | Status.CLOSED and not Status.OPEN & Status.CLOSED
    assert list(Status.OPEN) == [Status.BELUM_TERVERIFIKASI, Status.BELUM_DITINDAKLANJUTI, Status.PROSES,
                                 Status.TUNDA]
    assert list(Status.CLOSED) == [Status.SELESAI, Status.ARSIP, Status.DITERUSKAN]
    assert Status.OPEN - {Status.TUNDA} == Status.ACTIVE
    # the queue's partial indexes are built on the same set (migration text)
    assert "status IN ({})".format(", ".join(f"'{s.value}'" for s in Status.OPEN)) == OPEN_SQL


def test_norm_is_inherited_from_the_nearest_ancestor_that_sets_one(make):
    road = make.category("Infrastruktur > Jalan > Berlubang", norm_days=None)
    road.parent.norm_days = None
    road.parent.parent.norm_days = 60
    assert road.effective_norm() == 60
    road.parent.norm_days = 5
    assert road.effective_norm() == 5
    road.norm_days = 14
    assert road.effective_norm() == 14
    own, parent = {1: None, 2: 60, 3: None, 4: None}, {1: 2, 2: None, 3: None, 4: 5}
    assert inherited_norm(1, own, parent) == 60
    assert inherited_norm(3, own, parent) == DEFAULT_NORM
    assert inherited_norm(4, own, parent) == DEFAULT_NORM  # a parent not in the rows
    assert inherited_norm(9, {9: None}, {9: 9}) == DEFAULT_NORM  # a cycle ends


def test_queue_category_choices_use_the_same_inheritance(make):
    from portal.admin.workspace.queries import category_choices

    leaf = make.category("Kesehatan > RSUD", norm_days=None)
    leaf.parent.norm_days = 60
    leaf.parent.active = False  # an inactive parent still passes its norm on, as a verification applies it
    assert category_choices() == [(leaf.id, "Kesehatan > RSUD", 60)] == [
        (leaf.id, leaf.path, leaf.effective_norm())]


def test_tracking_numbers_of_both_sources(make):
    make.complaint(tracking_no="PRV-2026-000007")
    assert tracking.new_tracking_no(tracking.Source.STAFF, year=2026) == "PRV-2026-000008"
    assert tracking.new_tracking_no(tracking.Source.STAFF, year=2026, skip=2) == "PRV-2026-000010"
    assert tracking.new_tracking_no(tracking.Source.STAFF, year=2027) == "PRV-2027-000001"
    numbers = {tracking.new_tracking_no(tracking.Source.OPEN311) for _ in range(20)}
    assert len(numbers) == 20 and all(re.fullmatch(r"311\d{9}", n) for n in numbers)


@pytest.mark.parametrize(("raw", "out"), [
    ("0812-1111-2222", "+6281211112222"), ("+62 812 1111 2222", "+6281211112222"),
    ("6281211112222", "+6281211112222"), ("(0254) 200123", "+62254200123"), ("", None), (None, None),
])
def test_phone_numbers_normalise_to_e164(raw, out):
    assert normalise_phone(raw) == out


@pytest.mark.parametrize("raw", ["12345", "0812", "+1 555 0100 99999999", "telepon saya"])
def test_invalid_phone_numbers_are_refused(raw):
    with pytest.raises(ContactError):
        normalise_phone(raw)
    assert not is_valid_phone(raw)
