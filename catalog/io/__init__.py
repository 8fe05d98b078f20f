"""The catalog file (docs/catalog-format.md): reading, checking, import, export."""

from catalog.io.problems import CatalogFileError, FileProblem
from catalog.io.reader import catalog_read
from catalog.io.transfer import ImportReport, catalog_dumps, catalog_export, catalog_import

__all__ = [
    "CatalogFileError",
    "FileProblem",
    "ImportReport",
    "catalog_dumps",
    "catalog_export",
    "catalog_import",
    "catalog_read",
]
