// Nothing to import: the target only contributes the entry points in FuzzerEntry.c.
