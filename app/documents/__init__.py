"""Output: contract PDFs, exports, safe writing to removable media. No Qt."""
