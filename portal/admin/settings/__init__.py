"""Settings: people (OPDs, users, liaison handover), categories, holidays, Open311 API keys."""
