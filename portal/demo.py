"""Realistic synthetic data for demos and benchmarks (``flask --app portal demo-data``).

The OPD list is Banten province's; names, places and texts are Indonesian; timestamps are
consistent with each status. Bulk inserts keep 100,000 complaints well under a minute.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from functools import lru_cache

import sqlalchemy as sa

from portal.complaints.models import (
    Category,
    Channel,
    Complaint,
    ComplaintEvent,
    ComplaintType,
    FollowUp,
    Gender,
    Reporter,
    Status,
)
from portal.complaints.operations import stage_due
from portal.core.timeutil import UTC, wib_date
from portal.core.workdays import get_calendar
from portal.extensions import db
from portal.people.models import OPD, Liaison, Role, User

DEMO_PASSWORD = "Demo-Lapor-2026"

# (code, name, aliases, parent)
OPDS: list[tuple[str, str, list[str], str | None]] = [
    ("DINDIKBUD", "Dinas Pendidikan dan Kebudayaan", ["Dindikbud", "Dinas Pendidikan"], None),
    ("DINKES", "Dinas Kesehatan", ["Dinkes"], None),
    ("DPUPR", "Dinas Pekerjaan Umum dan Penataan Ruang", ["Dinas PUPR", "PUPR"], None),
    ("DPRKP", "Dinas Perumahan Rakyat dan Kawasan Permukiman", ["Perkim"], None),
    ("SATPOLPP", "Satuan Polisi Pamong Praja", ["Satpol PP"], None),
    ("DINSOS", "Dinas Sosial", ["Dinsos"], None),
    ("DISNAKERTRANS", "Dinas Tenaga Kerja dan Transmigrasi", ["Disnakertrans"], None),
    ("DP3AKKB", "Dinas Pemberdayaan Perempuan, Perlindungan Anak, Kependudukan dan Keluarga Berencana",
     ["DP3AKKB"], None),
    ("DLHK", "Dinas Lingkungan Hidup dan Kehutanan", ["DLHK"], None),
    ("DISHUB", "Dinas Perhubungan", ["Dishub"], None),
    ("DISKOMINFO", "Dinas Komunikasi, Informatika, Statistik dan Persandian", ["Diskominfo"], None),
    ("DISKOPUKM", "Dinas Koperasi dan Usaha Kecil Menengah", ["Diskop UKM"], None),
    ("DPMPTSP", "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", ["DPMPTSP"], None),
    ("DISPORA", "Dinas Pemuda dan Olahraga", ["Dispora"], None),
    ("DPK", "Dinas Perpustakaan dan Kearsipan", [], None),
    ("DKP", "Dinas Kelautan dan Perikanan", [], None),
    ("DISTAN", "Dinas Pertanian", ["Distan"], None),
    ("DISPERINDAG", "Dinas Perindustrian dan Perdagangan", ["Disperindag"], None),
    ("DISPAR", "Dinas Pariwisata", ["Dispar"], None),
    ("DESDM", "Dinas Energi dan Sumber Daya Mineral", ["ESDM"], None),
    ("DPMD", "Dinas Pemberdayaan Masyarakat dan Desa", [], None),
    ("DKPANGAN", "Dinas Ketahanan Pangan", [], None),
    ("BAPENDA", "Badan Pendapatan Daerah", ["Bapenda"], None),
    ("BAPPEDA", "Badan Perencanaan Pembangunan Daerah", ["Bappeda"], None),
    ("BKD", "Badan Kepegawaian Daerah", [], None),
    ("BPKAD", "Badan Pengelolaan Keuangan dan Aset Daerah", [], None),
    ("BPBD", "Badan Penanggulangan Bencana Daerah", [], None),
    ("BAKESBANGPOL", "Badan Kesatuan Bangsa dan Politik", ["Kesbangpol"], None),
    ("BPSDM", "Badan Pengembangan Sumber Daya Manusia", [], None),
    ("INSPEKTORAT", "Inspektorat", [], None),
    ("BIROPEM", "Biro Pemerintahan dan Kesejahteraan Rakyat", [], None),
    ("BIROHUKUM", "Biro Hukum", [], None),
    ("BIROUMUM", "Biro Umum", [], None),
    ("BIROEKBANG", "Biro Perekonomian dan Administrasi Pembangunan", [], None),
    ("BIROORG", "Biro Organisasi", [], None),
    ("RSUDBANTEN", "RSUD Banten", ["RSUD Provinsi Banten"], None),
    ("RSUDMALINGPING", "RSUD Malingping", [], None),
    ("RSUDLABUAN", "RSUD Labuan", [], None),
    ("UPTPJU", "UPTD Penerangan Jalan Umum", ["UPT PJU"], "DPUPR"),
    ("SAMSATSERANG", "UPTD Samsat Serang", ["Samsat Serang"], "BAPENDA"),
    ("SAMSATCIPUTAT", "UPTD Samsat Ciputat", ["Samsat Ciputat"], "BAPENDA"),
]

# (path, norm, default OPD, keywords, texts)
CATEGORIES: list[tuple[str, int, str, str, list[tuple[str, str]]]] = [
    ("Infrastruktur > Jalan Rusak", 60, "DPUPR", "jalan rusak berlubang aspal amblas", [
        ("Jalan berlubang di ruas provinsi", "Jalan provinsi di {loc} berlubang besar dan membahayakan pengendara motor, sudah ada korban jatuh."),
        ("Perbaikan jalan terbengkalai", "Perbaikan jalan di {loc} dihentikan sejak bulan lalu, material menumpuk di bahu jalan."),
    ]),
    ("Infrastruktur > Penerangan Jalan", 14, "UPTPJU", "lampu pju penerangan gelap padam", [
        ("Lampu PJU padam", "Lampu penerangan jalan di {loc} padam sudah dua minggu, rawan kejahatan pada malam hari."),
        ("Tiang lampu miring", "Tiang lampu jalan di {loc} miring dan hampir roboh setelah hujan deras."),
    ]),
    ("Infrastruktur > Drainase", 60, "DPUPR", "drainase saluran banjir got tersumbat", [
        ("Saluran air tersumbat", "Saluran drainase di {loc} tersumbat sampah sehingga jalan tergenang setiap hujan."),
    ]),
    ("Kesehatan > Pelayanan Rumah Sakit", 14, "RSUDBANTEN", "rumah sakit rsud antre dokter igd pelayanan", [
        ("Antrean poli sangat lama", "Saya menunggu lebih dari lima jam di poli penyakit dalam RSUD tanpa kepastian jadwal dokter."),
        ("Pasien IGD tidak segera ditangani", "Keluarga kami di IGD tidak ditangani selama dua jam dengan alasan kamar penuh."),
    ]),
    ("Kesehatan > Jaminan Kesehatan", 14, "DINKES", "bpjs jamkesda kartu iuran", [
        ("Kartu jaminan kesehatan tidak aktif", "Kartu jaminan kesehatan daerah ibu saya tidak aktif padahal terdaftar sebagai warga kurang mampu."),
    ]),
    ("Kesehatan > Imunisasi", 5, "DINKES", "imunisasi vaksin posyandu puskesmas", [
        ("Jadwal imunisasi", "Mohon informasi jadwal imunisasi dasar anak di puskesmas wilayah {loc}."),
    ]),
    ("Pendidikan > Pungutan Sekolah", 14, "DINDIKBUD", "pungutan pungli sekolah sma smk seragam", [
        ("Pungutan di SMA negeri", "Ada pungutan uang seragam dan kegiatan di SMA negeri {loc} yang memberatkan orang tua."),
        ("Ijazah ditahan sekolah", "Ijazah anak saya ditahan SMK di {loc} karena belum melunasi iuran komite."),
    ]),
    ("Pendidikan > PPDB", 5, "DINDIKBUD", "ppdb zonasi pendaftaran siswa baru", [
        ("Informasi PPDB", "Kapan pendaftaran PPDB SMA jalur zonasi dibuka dan apa saja syaratnya?"),
        ("Kuota zonasi tidak transparan", "Hasil seleksi PPDB jalur zonasi di {loc} tidak diumumkan secara terbuka."),
    ]),
    ("Pajak Daerah > Pajak Kendaraan", 14, "BAPENDA", "pajak kendaraan samsat stnk bbnkb", [
        ("Layanan Samsat", "Pelayanan pembayaran pajak kendaraan di Samsat {loc} sangat lama karena sistem sering gangguan."),
        ("Pemutihan pajak kendaraan", "Mohon informasi apakah ada program pemutihan denda pajak kendaraan tahun ini."),
    ]),
    ("Ekonomi > Bantuan UMKM", 14, "DISKOPUKM", "umkm bantuan modal usaha koperasi", [
        ("Bantuan UMKM belum cair", "Bantuan modal usaha mikro yang dijanjikan kepada kelompok kami di {loc} belum cair."),
    ]),
    ("Sosial > Bantuan Sosial", 14, "DINSOS", "bansos dtks bantuan sosial pkh sembako", [
        ("Bansos tidak tepat sasaran", "Penerima bantuan sosial di desa kami di {loc} banyak yang mampu, warga miskin justru tidak terdaftar."),
    ]),
    ("Ketenagakerjaan > Hubungan Industrial", 14, "DISNAKERTRANS", "phk upah pekerja perusahaan pesangon", [
        ("Upah di bawah UMK", "Perusahaan tempat saya bekerja di {loc} membayar upah di bawah UMK dan tanpa lembur."),
    ]),
    ("Lingkungan > Pencemaran", 60, "DLHK", "pencemaran limbah sungai bau asap pabrik", [
        ("Limbah pabrik mencemari sungai", "Sungai di {loc} berubah warna dan berbau karena limbah pabrik, ikan banyak mati."),
    ]),
    ("Lingkungan > Sampah", 14, "DLHK", "sampah tpa tumpukan", [
        ("Tumpukan sampah liar", "Sampah menumpuk di pinggir jalan provinsi di {loc} dan tidak pernah diangkut."),
    ]),
    ("Perhubungan > Angkutan Umum", 14, "DISHUB", "angkot bus angkutan umum terminal tarif", [
        ("Tarif angkutan dinaikkan sepihak", "Sopir angkutan umum trayek {loc} menaikkan tarif sepihak tanpa pengumuman."),
    ]),
    ("Ketertiban Umum > Pedagang Kaki Lima", 14, "SATPOLPP", "pkl pedagang trotoar ketertiban", [
        ("PKL menutup trotoar", "Pedagang kaki lima menutup trotoar di {loc} sehingga pejalan kaki harus turun ke jalan."),
    ]),
    ("Kepegawaian > Layanan ASN", 14, "BKD", "asn pns kenaikan pangkat pegawai", [
        ("Kenaikan pangkat tertunda", "Usulan kenaikan pangkat saya sebagai ASN provinsi belum diproses sejak enam bulan lalu."),
    ]),
    ("Perizinan > Perizinan Berusaha", 14, "DPMPTSP", "izin perizinan oss nib usaha", [
        ("Izin usaha lambat", "Pengajuan izin usaha melalui layanan terpadu satu pintu belum selesai melewati batas waktu."),
    ]),
    ("Kebencanaan > Tanggap Darurat", 5, "BPBD", "banjir longsor bencana pengungsi", [
        ("Bantuan korban banjir", "Warga korban banjir di {loc} belum menerima bantuan logistik sejak tiga hari lalu."),
    ]),
]

LOCATIONS = ["Kota Serang", "Kab. Serang", "Kab. Pandeglang", "Kab. Lebak", "Kab. Tangerang",
             "Kota Tangerang", "Kota Tangerang Selatan", "Kota Cilegon"]
FIRST_M = ["Budi", "Agus", "Ahmad", "Rahmat", "Dedi", "Hendra", "Iwan", "Joko", "Rudi", "Yusuf", "Fajar",
           "Andi", "Asep", "Ujang", "Dadang", "Eko", "Bayu", "Rizky", "Taufik", "Wahyu"]
FIRST_F = ["Siti", "Dewi", "Sri", "Nur", "Rina", "Ani", "Yuli", "Fitri", "Lina", "Euis", "Neneng", "Ratna",
           "Intan", "Ayu", "Putri", "Wulan", "Nita", "Maya", "Lilis", "Tuti"]
LAST = ["Hartono", "Suryadi", "Lestari", "Rahayu", "Setiawan", "Hidayat", "Saputra", "Nurhayati", "Kurniawan",
        "Wijaya", "Santoso", "Permana", "Maulana", "Sulaeman", "Fauzi", "Susanti", "Ramdani", "Supriatna"]
FOLLOWUPS = [
    "Laporan telah diteruskan ke bidang teknis dan akan ditinjau ke lokasi pekan ini.",
    "Petugas kami telah melakukan pengecekan lapangan dan perbaikan dijadwalkan.",
    "Terima kasih atas laporannya. Kami telah berkoordinasi dengan unit terkait.",
    "Permasalahan telah ditangani oleh tim teknis dan sudah selesai diperbaiki.",
    "Informasi yang diminta: layanan tersedia setiap hari kerja pukul 08.00–15.00 WIB.",
]
CHANNEL_WEIGHTS = [(Channel.WEBSITE, 34), (Channel.APLIKASI_MOBILE, 26), (Channel.SMS, 12),
                   (Channel.MEDIA_SOSIAL, 14), (Channel.EMAIL, 4), (Channel.SURAT, 3),
                   (Channel.TELEPON, 3), (Channel.TATAP_MUKA, 4)]


def _pick(rng: random.Random, weighted: list[tuple]) -> object:
    items, weights = zip(*weighted, strict=True)
    return rng.choices(items, weights)[0]


def ensure_reference_data() -> tuple[dict[str, OPD], dict[str, Category]]:
    """OPDs and the category tree (idempotent)."""
    opds = {o.code: o for o in db.session.scalars(sa.select(OPD))}
    for code, name, aliases, parent in OPDS:
        if code not in opds:
            opds[code] = OPD(code=code, name=name, aliases=aliases, active=True,
                             email=f"{code.lower()}@bantenprov.example.go.id",
                             parent=opds.get(parent) if parent else None)
            db.session.add(opds[code])
    db.session.flush()
    cats = {c.path: c for c in db.session.scalars(sa.select(Category))}
    for path, norm, opd_code, keywords, _texts in CATEGORIES:
        parts = path.split(" > ")
        parent = None
        for i in range(len(parts)):
            sub = " > ".join(parts[: i + 1])
            if sub not in cats:
                cats[sub] = Category(name=parts[i], path=sub, parent=parent, keywords="")
                db.session.add(cats[sub])
            parent = cats[sub]
        leaf = cats[path]
        leaf.norm_days = norm
        leaf.default_opd = opds[opd_code]
        leaf.keywords = "\n".join(keywords.split())
    db.session.flush()
    from portal.complaints.forwarding import ensure_defaults

    ensure_defaults()  # the instansi complaints out of the province's authority are forwarded to
    _ensure_heads(opds)
    return opds, cats


def _ensure_heads(opds: dict[str, OPD]) -> None:
    """A head-of-OPD contact for every agency (the escalation ladder's second step writes to it)."""
    from portal.complaints.escalation import OPDHead

    have = set(db.session.scalars(sa.select(OPDHead.opd_id)))
    for code, opd in opds.items():
        if opd.parent_id is None and opd.id not in have:
            db.session.add(OPDHead(opd_id=opd.id, name=f"Kepala {opd.name}",
                                   email=f"kepala.{code.lower()}@bantenprov.example.go.id"))
    db.session.flush()


def ensure_users(opds: dict[str, OPD], today: dt.date) -> list[str]:
    """One user per role (and a liaison for the busiest OPDs), with a handover in the history."""
    lines = []
    specs: list[tuple[str, str, Role, str | None, bool]] = [("kominfo@demo.lapor.id", "Admin Diskominfo", Role.KOMINFO, None, True),
             ("pimpinan@demo.lapor.id", "Sekretaris Daerah", Role.PIMPINAN, None, False),
             ("ombudsman@demo.lapor.id", "Asisten Ombudsman", Role.OMBUDSMAN, None, False)]
    for code in ("DPUPR", "DINKES", "DINDIKBUD", "BAPENDA", "DINSOS", "DLHK", "UPTPJU", "RSUDBANTEN",
                 "DISKOPUKM", "DISHUB"):
        specs.append((f"{code.lower()}@demo.lapor.id", f"Pejabat Penghubung {code}", Role.OPD, code, False))
    existing = {u.email for u in db.session.scalars(sa.select(User))}
    for email, name, role, code, approve in specs:
        if email in existing:
            continue
        user = User(email=email, name=name, role=role, opd=opds.get(code) if code else None,
                    position="Pejabat Penghubung" if role == Role.OPD else None, active=True,
                    can_approve=approve)
        user.set_password(DEMO_PASSWORD)
        db.session.add(user)
        db.session.flush()
        if role == Role.OPD:
            db.session.add(Liaison(opd=opds[code], user=user, valid_from=today - dt.timedelta(days=200)))
        lines.append(f"  {role.value:<10} {email}  /  {DEMO_PASSWORD}")
    if "mantan.dpupr@demo.lapor.id" not in existing:
        old = User(email="mantan.dpupr@demo.lapor.id", name="Mantan Penghubung DPUPR", role=Role.OPD,
                   opd=opds["DPUPR"], active=False)
        old.set_password(DEMO_PASSWORD + "-old")
        db.session.add(old)
        db.session.flush()
        db.session.add(Liaison(opd=opds["DPUPR"], user=old, valid_from=today - dt.timedelta(days=600),
                               valid_to=today - dt.timedelta(days=201), note="Serah terima SK 2025"))
    return lines


RECAP_STATUSES = [s for s in Status if s != Status.DITERUSKAN]


def _status_for_age(rng: random.Random, age_days: float) -> Status:
    if age_days < 4:
        w: list[float] = [30, 40, 20, 5, 3, 2]
    elif age_days < 30:
        w = [4, 22, 38, 28, 4, 4]
    elif age_days < 120:
        w = [0.3, 5, 15, 72, 3, 4.7]
    else:
        w = [0.05, 1, 3, 89, 2, 4.95]
    # the six statuses of LAPOR!'s recap (forwarding out needs a destination: not generated here)
    return rng.choices(RECAP_STATUSES, w)[0]


def run(n_complaints: int = 3000, seed: int = 1708, echo: Callable[[str], None] = print,
        today: dt.date | None = None) -> str:
    """Load reference data, users, ``n_complaints`` complaints and demo meetings; commit."""
    t0 = time.perf_counter()
    rng = random.Random(seed)
    now = dt.datetime.now(UTC)
    today = today or wib_date(now)
    opds, cats = ensure_reference_data()
    user_lines = ensure_users(opds, today)
    db.session.commit()
    made = generate_complaints(n_complaints, rng, opds, cats, now)
    answered = generate_survey(random.Random(seed + 21))
    from portal.meetings import demo as meetings_demo

    meetings = meetings_demo.seed(rng)
    db.session.commit()
    from portal.core import cache

    cache.bump_generation()
    secs = time.perf_counter() - t0
    out = [f"Demo data: {len(opds)} OPDs, {len(cats)} categories, {made} complaints, {answered} SKM responses"
           f" in {secs:.1f} s."]
    if meetings:
        out.append(meetings)
    if user_lines:
        out.append("Sign in at /login with:")
        out.extend(user_lines)
    return "\n".join(out)


def generate_survey(rng: random.Random, share: float = 0.35) -> int:
    """SKM answers of a share of the finished complaints' reporters (their codes marked used), so the
    IKM shows on the dashboard, /ikm and the reports. Waiting time (u3) and facilities (u9) score lower."""

    from portal.complaints import survey

    if db.session.scalar(sa.select(sa.func.count()).select_from(survey.SurveyResponse)):
        return 0
    rows = db.session.execute(sa.select(Complaint.id, Complaint.opd_id, Complaint.finished_at).where(
        Complaint.status == Status.SELESAI, Complaint.finished_at.is_not(None)).order_by(Complaint.id)).all()
    weights = {"u3": (8, 22, 45, 25), "u9": (6, 20, 50, 24)}
    n = 0
    for cid, opd_id, finished in rows:
        if rng.random() >= share:
            continue
        answers = {k: rng.choices((1, 2, 3, 4), weights=weights.get(k, (2, 8, 50, 40)))[0] for k in survey.KEYS}
        db.session.add(survey.SurveyCodeUse(complaint_id=cid))
        db.session.add(survey.SurveyResponse(opd_id=opd_id, period=survey.month_of(wib_date(finished)),
                                             source="online", **answers))
        n += 1
    db.session.commit()
    return n


def generate_complaints(n: int, rng: random.Random, opds: dict[str, OPD], cats: dict[str, Category],
                        now: dt.datetime, batch: int = 5000) -> int:
    """Bulk-insert ``n`` complaints with reporters, follow-ups and events."""
    if n <= 0:
        return 0
    cal = get_calendar()

    @lru_cache(maxsize=8192)
    def due(start: dt.date, norm: int) -> dt.date:
        return cal.add_working_days(start, norm)

    leaf_specs = [(cats[path], norm, opds[code], texts) for path, norm, code, _k, texts in CATEGORIES]
    units = {o.id: o for o in opds.values()}
    next_id = (db.session.scalar(sa.select(sa.func.max(Complaint.id))) or 0) + 1
    existing_nums = db.session.scalar(sa.select(sa.func.count()).select_from(Complaint)) or 0
    base_no = 6_000_000 + existing_nums
    span = 730 * 86400
    conn = db.session.connection()
    comp_rows, rep_rows, fu_rows, ev_rows = [], [], [], []
    for i in range(n):
        cid = next_id + i
        cat, norm, opd, texts = leaf_specs[int(rng.paretovariate(1.2)) % len(leaf_specs)]
        if opd.parent_id and rng.random() < 0.3:
            opd = units[opd.parent_id]
        age = rng.random() ** 1.3 * span
        submitted = now - dt.timedelta(seconds=age)
        hour_shift = rng.choice([0, 0, 0, 1, 2, 3, -2])
        submitted = submitted.replace(hour=(submitted.hour + hour_shift) % 24)
        if submitted > now:
            submitted = now - dt.timedelta(minutes=5)
        age_days = (now - submitted).total_seconds() / 86400
        status = _status_for_age(rng, age_days)
        title, body = rng.choice(texts)
        loc = rng.choice(LOCATIONS)
        ctype = (ComplaintType.PERMINTAAN_INFORMASI if norm == 5 and rng.random() < 0.6 else
                 ComplaintType.ASPIRASI if rng.random() < 0.12 else ComplaintType.PENGADUAN)
        verified = dispatched = followup = finished = None
        has_opd = False

        def later(start: dt.datetime, lo: float, hi: float) -> dt.datetime:
            t = start + dt.timedelta(days=rng.uniform(lo, hi))
            return min(t, now - dt.timedelta(minutes=1))

        if status != Status.BELUM_TERVERIFIKASI:
            verified = later(submitted, 0.05, min(4.0, max(0.06, age_days * 0.5)))
            if status in (Status.BELUM_DITINDAKLANJUTI, Status.PROSES, Status.SELESAI) or (
                    status == Status.TUNDA and rng.random() < 0.5):
                dispatched = later(verified, 0.0, 1.0)
                has_opd = True
            if status in (Status.PROSES, Status.SELESAI) and dispatched:
                followup = later(dispatched, 0.2, min(25.0, max(0.3, (now - dispatched).days)))
            if status == Status.SELESAI and followup:
                finished = later(followup, 0.0, min(30.0, max(0.01, (now - followup).days)))
        start = dispatched or verified or submitted
        rating = None
        if status == Status.SELESAI and rng.random() < 0.55:
            rating = rng.choices([1, 2, 3, 4, 5], [4, 5, 14, 38, 39])[0]
        gender = rng.choice([Gender.L, Gender.P]) if rng.random() < 0.85 else None
        first = rng.choice(FIRST_M if gender == Gender.L else FIRST_F)
        anonymous = rng.random() < 0.07
        confidential = rng.random() < 0.04
        tracking = str(base_no + i).zfill(7)
        comp_rows.append({
            "id": cid, "tracking_no": tracking, "submitted_at": submitted, "title": title,
            "text": body.format(loc=loc), "type": ctype, "channel": _pick(rng, CHANNEL_WEIGHTS),
            "category_id": cat.id, "status": status, "opd_id": opd.id if has_opd else None,
            "location": loc, "is_anonymous": anonymous, "is_confidential": confidential,
            "verified_at": verified, "dispatched_at": dispatched, "first_followup_at": followup,
            "last_activity_at": finished or followup or dispatched or verified or submitted,
            "finished_at": finished, "rating": rating, "norm_days": norm,
            "due_date": due(wib_date(start), norm),
            "stage_due_date": stage_due(status, submitted, dispatched, followup, None, due(wib_date(start), norm),
                                        cal),
            "source": "import", "created_at": submitted,
            "updated_at": finished or followup or dispatched or verified or submitted, "version": 1,
            "status_reason": ("Berkas belum lengkap" if status == Status.TUNDA else
                              "Laporan tidak jelas" if status == Status.ARSIP else None),
        })
        rep_rows.append({
            "complaint_id": cid, "name": f"{first} {rng.choice(LAST)}",
            "nik": f"36{rng.randint(0, 99):02d}{rng.randint(0, 999999999999):012d}" if rng.random() < 0.7 else None,
            "phone": f"+628{rng.randint(100000000, 9999999999)}" if rng.random() < 0.8 else None,
            "email": f"{first.lower()}{rng.randint(1, 999)}@contoh.id" if rng.random() < 0.4 else None,
            "gender": gender, "has_disability": rng.random() < 0.03,
        })
        ev_rows.append(_event(cid, submitted, "imported", None, Status.BELUM_TERVERIFIKASI))
        if verified:
            ev_rows.append(_event(cid, verified, "verified", None, None))
        if dispatched:
            ev_rows.append(_event(cid, dispatched, "dispatched", Status.BELUM_TERVERIFIKASI,
                                  Status.BELUM_DITINDAKLANJUTI, {"opd": [None, opd.code]}))
        if followup:
            fu_rows.append({"complaint_id": cid, "opd_id": opd.id, "created_at": followup,
                            "text": rng.choice(FOLLOWUPS), "source": "import"})
            ev_rows.append(_event(cid, followup, "followup", Status.BELUM_DITINDAKLANJUTI, Status.PROSES))
        if status in (Status.SELESAI, Status.TUNDA, Status.ARSIP):
            prev = Status.PROSES if status == Status.SELESAI else (
                Status.BELUM_DITINDAKLANJUTI if dispatched else Status.BELUM_TERVERIFIKASI)
            ev_rows.append(_event(cid, finished or later(start, 0.1, 3), "status", prev, status))
        if len(comp_rows) >= batch:
            _flush(conn, comp_rows, rep_rows, fu_rows, ev_rows)
    _flush(conn, comp_rows, rep_rows, fu_rows, ev_rows)
    _fix_sequences(conn)
    return n


def _event(cid: int, at: dt.datetime, kind: str, src: Status | None, dst: Status | None,
           changes: dict | None = None) -> dict:
    return {"complaint_id": cid, "at": at, "kind": kind, "actor_id": None, "from_status": src,
            "to_status": dst, "changes": changes or {}, "is_public": True, "note": None}


def _flush(conn, comp_rows, rep_rows, fu_rows, ev_rows) -> None:
    for model, rows in ((Complaint, comp_rows), (Reporter, rep_rows), (FollowUp, fu_rows),
                        (ComplaintEvent, ev_rows)):
        if rows:
            conn.execute(sa.insert(model.__table__), rows)
            rows.clear()


def _fix_sequences(conn) -> None:
    """Explicit ids bypass PostgreSQL sequences: move them past the highest id."""
    if conn.dialect.name != "postgresql":
        return
    conn.execute(sa.text(
        "SELECT setval(pg_get_serial_sequence('complaint', 'id'), (SELECT COALESCE(MAX(id), 1) FROM complaint))"
    ))
