"""KemenPANRB's five indicators for the province, each with its evidence, against hand-computed
figures from the ``seeded`` fixture (see tests/meetings/report/conftest.py): no pass, no score."""

import datetime as dt

import pytest

from portal.extensions import db
from portal.meetings.report import build as report
from tests.meetings.report.conftest import wib

TODAY = dt.date(2026, 3, 10)


@pytest.fixture
def evidence(seeded, make):
    """Adds to ``seeded``: activity by the Dinkes liaison, a DPUPR handover, a return, a late
    verification, the SK register and the rencana aksi."""
    from portal.complaints.models import ComplaintEvent, FollowUp, Status
    from portal.meetings.evaluation import operations as ev
    from portal.meetings.evaluation.models import TeamRole
    from portal.people.models import Liaison

    dinkes, dpupr = seeded["dinkes"], seeded["dpupr"]
    c = seeded["complaints"]
    dinkes_liaison = db.session.scalars(db.select(Liaison).where(Liaison.opd_id == dinkes.id)).one().user
    # two actions in the period, one before it (not counted)
    db.session.add(FollowUp(complaint=c[2], opd=dinkes, author=dinkes_liaison, created_at=wib(2025, 10, 9),
                            text="Sedang ditangani."))
    db.session.add(ComplaintEvent(complaint=c[2], actor=dinkes_liaison, kind="followup", at=wib(2025, 10, 9)))
    db.session.add(ComplaintEvent(complaint=c[9], actor=dinkes_liaison, kind="followup", at=wib(2025, 5, 7)))
    # DPUPR: an old liaison whose term ended before the period, a new one from 10 January 2026
    old = make.user("opd", opd=dpupr, name="Penghubung Lama")
    new = make.user("opd", opd=dpupr, name="Penghubung Baru")
    db.session.add(Liaison(opd=dpupr, user=old, valid_from=dt.date(2024, 1, 1), valid_to=dt.date(2025, 8, 31)))
    db.session.add(Liaison(opd=dpupr, user=new, valid_from=dt.date(2026, 1, 10)))
    # the new DPUPR liaison returns complaint 4 (bukan kewenangan)
    db.session.add(ComplaintEvent(complaint=c[4], actor=new, kind="returned", at=wib(2026, 1, 12)))
    # submitted Friday 10 October, verified Thursday 16 October: after 3 working days (due 15 October)
    make.complaint(tracking_no="RK-LATE", status=Status.TUNDA.value, submitted_at=wib(2025, 10, 10),
                   verified_at=wib(2025, 10, 16))
    sk = ev.create_sk(number="800/Kep.45-Huk/2025", title="Tim Koordinasi Pengelola SP4N-LAPOR!",
                      decree_date=dt.date(2025, 12, 1), issuer="Gubernur", valid_from=dt.date(2025, 12, 1),
                      valid_to=None, user=None)
    ev.add_member(sk, role=TeamRole.PENGARAH, name="Kepala Dinas Kominfo")
    ev.add_member(sk, role=TeamRole.PEMBINA, name="Gubernur")
    ev.add_member(sk, role=TeamRole.PEJABAT_PENGHUBUNG, name="Penghubung Dinkes", opd=dinkes)
    # a later decree, after the period: not the one in force for it
    ev.create_sk(number="800/Kep.9-Huk/2026", title="Tim Koordinasi", decree_date=dt.date(2026, 4, 1),
                 issuer="Gubernur", valid_from=dt.date(2026, 4, 1), valid_to=None, user=None)
    plan = ev.create_plan(year=2026, title="Rencana Aksi SP4N-LAPOR! 2026", adopted_on=dt.date(2026, 1, 15))
    a = ev.add_item(plan, title="Bimtek pejabat penghubung", due_date=dt.date(2026, 2, 10), owner=dinkes)
    b = ev.add_item(plan, title="Standar jawaban jalan rusak", due_date=dt.date(2026, 2, 15), owner=dpupr)
    ev.add_item(plan, title="Perbarui SK tim", due_date=dt.date(2026, 6, 30))
    ev.record_progress(a, 100, "Terlaksana", dt.date(2026, 2, 1))
    ev.record_progress(b, 40, None, dt.date(2026, 2, 1))
    db.session.commit()
    return seeded


@pytest.fixture
def ev(evidence):
    return report.compile_report(evidence["meeting"], today=TODAY)["kemenpanrb"]


def _ind(ev, key):
    return next(i["evidence"] for i in ev["indicators"] if i["key"] == key)


def test_sk_indicator_names_the_decree_in_force_and_the_handover_after_it(ev):
    sk = _ind(ev, "sk")
    assert sk["number"] == "800/Kep.45-Huk/2025" and sk["decree_date"] == "2025-12-01"
    assert sk["issuer"] == "Gubernur" and sk["updated_at"]
    # members in the decree's order, not the order entered
    assert [m["role_label"] for m in sk["members"]] == ["Pembina", "Pengarah", "Pejabat Penghubung"]
    assert sk["handovers_after"] == [{"opd": "Dinas Pekerjaan Umum dan Penataan Ruang",
                                      "valid_from": "2026-01-10"}]


def test_account_activity_counts_liaisons_serving_and_acting_in_the_period(ev):
    acc = _ind(ev, "account")
    # Dinkes liaison (acted twice in the period) and the new DPUPR one (its return is an action);
    # the old DPUPR term ended before the period
    assert (acc["liaisons"], acc["active"], acc["actions"], acc["opds_with_liaison"]) == (2, 2, 3, 2)
    rows = {r["code"]: r for r in ev["per_opd"]}
    assert (rows["DINKES"]["liaisons"], rows["DINKES"]["active"], rows["DINKES"]["actions"]) == (1, 1, 2)
    assert rows["DINKES"]["last_login"] == "2026-02-20T02:00:00"
    assert (rows["DPUPR"]["liaisons"], rows["DPUPR"]["active"], rows["DPUPR"]["actions"]) == (1, 1, 1)


def test_data_pengelolaan_is_the_recap(ev, evidence):
    data = _ind(ev, "data")
    # 8 seeded complaints plus the late-verified Tunda one; Total excludes Tunda and Arsip
    assert (data["received"], data["total"], data["selesai"], data["persen_tl"]) == (9, 6, 3, 66.7)


def test_follow_up_quality_figures(ev):
    q = _ind(ev, "quality")
    # dispatched: Dinkes 3 answered within 5 working days; DPUPR one answered (Sat 6 Dec, due
    # Tue 9 Dec), one never answered and past its day (Wed 14 Jan) → 4 of 5
    assert (q["first_ok"], q["first_n"], q["first_pct"]) == (4, 5, 80.0)
    # finished: Dinkes on time (day 3 of norm 5) and late (day 20), DPUPR on time → 2 of 3
    assert (q["finished_ok"], q["finished"], q["finished_pct"]) == (2, 3, 66.7)
    assert q["returned"] == 1
    rows = {r["code"]: r for r in ev["per_opd"]}
    assert (rows["DINKES"]["first_pct"], rows["DPUPR"]["first_pct"]) == (100.0, 50.0)
    assert (rows["DINKES"]["norm_pct"], rows["DPUPR"]["norm_pct"]) == (50.0, 100.0)
    assert (rows["DINKES"]["returned"], rows["DPUPR"]["returned"]) == (0, 1)
    assert (rows["DINKES"]["finished_pct"], rows["DPUPR"]["finished_pct"]) == (66.7, 50.0)


def test_rencana_aksi_status(ev):
    plan = _ind(ev, "plan")
    assert (plan["n_items"], plan["done"], plan["overdue"], plan["mean_progress"]) == (3, 1, 1, 46.7)
    assert plan["adopted_on"] == "2026-01-15"
    rows = {r["code"]: r for r in ev["per_opd"]}
    assert (rows["DINKES"]["plan_items"], rows["DINKES"]["plan_done"]) == (1, 1)
    assert (rows["DPUPR"]["plan_items"], rows["DPUPR"]["plan_done"]) == (1, 0)


def test_targets_beside_actuals_and_laju_verifikasi(ev):
    t = {r["key"]: r for r in ev["targets"]}
    assert (t["finished"]["target"], t["finished"]["actual"], t["finished"]["part"], t["finished"]["whole"]) == (
        90.0, 50.0, 3, 6)
    assert (t["first_response"]["target"], t["first_response"]["actual"]) == (100.0, 80.0)
    # seven verified within 3 working days, the Friday one after; mean (0.5+0.5+1+1+2+1+1+6)/8
    assert ev["verification"] == {"within": 7, "after": 1, "n": 8, "mean_days": 1.6}


def test_nothing_scored_per_opd(ev):
    for row in ev["per_opd"]:
        assert not {"score", "sk_ok", "account_ok", "data_ok", "quality_ok", "plan_ok"} & set(row)


def test_a_period_without_data_says_so_and_never_passes(app, seeded):
    figures = report.compile_figures(dt.date(2030, 1, 1), dt.date(2030, 6, 30), today=TODAY)
    ev = figures["kemenpanrb"]
    # the seeded Dinkes liaison is still serving in 2030 (current term) but did nothing
    assert _ind(ev, "sk") is None and _ind(ev, "data") is None and _ind(ev, "quality") is None
    assert _ind(ev, "plan") is None
    assert _ind(ev, "account")["active"] == 0
    assert all(t["actual"] is None for t in ev["targets"])
    assert ev["verification"]["mean_days"] is None


def test_the_report_prints_evidence_and_belum_ada_data(app, evidence):
    from flask import render_template

    figures = report.compile_report(evidence["meeting"], today=TODAY)
    empty = report.compile_figures(dt.date(2030, 1, 1), dt.date(2030, 6, 30), today=TODAY)
    from portal.meetings.report import operations as ops

    with app.test_request_context():
        html = render_template("meetings/report/_body.html", **ops.template_context(evidence["meeting"], None,
                                                                                     figures), chart_src=str,
                               photos=[])
        blank = render_template("meetings/report/_body.html", **ops.template_context(None, None, empty),
                                chart_src=str, photos=[])
    assert "800/Kep.45-Huk/2025" in html and "SK perlu diperbarui" in html
    assert "Pejabat Penghubung" in html and "/5" not in html
    assert "1 dari 3 kegiatan selesai, 1 melewati batas waktu" in html
    assert "80,0%" in html and "7 laporan diverifikasi paling lama 3 hari kerja" in html
    assert "belum ada data" in blank and "✓" not in blank and "Skor" not in blank
