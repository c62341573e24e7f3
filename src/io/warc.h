/* SPDX-License-Identifier: MIT */
/* WARC record mode of the reader (Common Crawl WET files): `conversion`
 * records become documents, every other record type is passed over. */
#ifndef MC_IO_WARC_H
#define MC_IO_WARC_H

#include <medcheck/reader.h>

/* Largest WARC header block read (version line to blank line). */
#define MC__WARC_HEADER_MAX ((size_t)64 << 10)

/* Look at the first bytes of the decompressed stream (nothing consumed
 * yet): "WARC/1.0" or "WARC/1.1" switches the reader to WARC mode and
 * returns 1; anything else returns 0; a negative code when decoding the
 * first bytes failed. */
int mc__warc_detect(mc_reader *r);

/* The next `conversion` record: 1 (rec filled: text is the record block,
 * id the WARC-Target-URI, warc_record_id the WARC-Record-ID, offset the
 * decompressed offset of the block, index the 0-based position of the
 * WARC record in the file, warcinfo and other records included), 0 at the
 * end of the stream, or a negative code when the stream is broken. Bad
 * records are skipped, counted and logged like malformed JSONL lines. */
int mc__warc_read(mc_reader *r, mc_record *rec);

#endif /* MC_IO_WARC_H */
