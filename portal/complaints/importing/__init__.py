"""Importing SP4N-LAPOR! exports: the importer, its date parsing, the ``import-lapor`` command."""
