"""What KemenPANRB evaluates beside the complaint figures (docs/DOMAIN.md §11): the SK Tim Koordinasi
register and the instansi's rencana aksi (PermenPANRB 46/2020). The five indicators themselves are
compiled in :mod:`portal.meetings.report.kemenpanrb`."""
