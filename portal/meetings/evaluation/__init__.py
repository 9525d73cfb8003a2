"""What KemenPANRB evaluates beside the complaint figures (seed 004 §C): the SK Tim Koordinasi
register and the instansi's rencana aksi (PermenPANRB 46/2020). The five indicators themselves are
compiled in :mod:`portal.meetings.report.kemenpanrb`."""
