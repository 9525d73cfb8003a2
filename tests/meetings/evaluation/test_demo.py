"""Demo data: an SK register, a rencana aksi and two approved, published rakor reports (March, August)."""

import sqlalchemy as sa

from portal.extensions import db


def test_demo_has_register_plan_and_a_published_report(runner, client):
    from portal.meetings.evaluation.models import RencanaAksi, SkTim, TeamRole
    from portal.meetings.report.models import RakorReport, ReportStatus

    r = runner.invoke(args=["demo-data", "--complaints", "300", "--seed", "3"])
    assert r.exit_code == 0, r.output
    sk = db.session.scalars(sa.select(SkTim).order_by(SkTim.decree_date.desc())).first()
    roles = {m.role for m in sk.members}
    assert {TeamRole.PEMBINA, TeamRole.PENGARAH, TeamRole.KETUA, TeamRole.TIM_ADMIN,
            TeamRole.PEJABAT_PENGHUBUNG} <= roles
    plan = db.session.scalars(sa.select(RencanaAksi).order_by(RencanaAksi.year.desc())).first()
    assert plan.items and any(i.is_done for i in plan.items)
    march, rep = sorted(db.session.scalars(sa.select(RakorReport)), key=lambda r: r.meeting.period_end)
    assert rep.status == ReportStatus.PUBLISHED and rep.pdf_sha256 and rep.approved_by.role == "pimpinan"
    assert march.status == ReportStatus.PUBLISHED and march.pdf_sha256  # the reading room compares the two
    assert (march.meeting.date_wib.month, rep.meeting.date_wib.month) == (3, 8)
    assert rep.figures["ikm"]["n"] > 0 and rep.figures["ikm"]["category"] in "ABCD"  # demo SKM answers
    ev = rep.figures["kemenpanrb"]
    # the report's period is last year's first semester: last year's decree and plan are its evidence
    older = db.session.scalars(sa.select(SkTim).order_by(SkTim.decree_date)).first()
    assert older.valid_to is not None and ev["indicators"][0]["evidence"]["number"] == older.number
    assert ev["indicators"][4]["evidence"]["year"] == older.decree_date.year
    html = client.get("/rakor").get_data(as_text=True)
    assert rep.meeting.title in html and march.meeting.title in html and "Perbandingan periode" in html
