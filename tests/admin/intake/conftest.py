"""The intake pages use the importer tests' OPDs of the sample export."""

from tests.complaints.importing.conftest import opds  # noqa: F401
