"""Belum di LAPOR! (docs/LAPOR_SYNC.md): the worklist of portal actions SP4N-LAPOR! does not show yet, and the
LAPOR! number of staff-entered complaints. Kominfo staff only."""
