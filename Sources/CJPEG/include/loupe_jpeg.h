// A thin C layer over libjpeg: libjpeg reports fatal errors through longjmp, which Swift cannot
// catch, so every entry point here sets up its own setjmp and turns failures into a return code
// and a message.
#ifndef LOUPE_JPEG_H
#define LOUPE_JPEG_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// What the header says about a JPEG stream.
typedef struct {
    int width;
    int height;
    /// Components delivered by loupe_jpeg_decode: 1 (gray), 3 (RGB) or 4 (CMYK).
    int components;
    /// 1 when the file carries an Adobe APP14 marker (CMYK stored inverted, Photoshop convention).
    int adobe_marker;
    /// 1 for a progressive (multi-scan) file.
    int progressive;
    /// Count of non-fatal warnings libjpeg emitted while decoding.
    int warnings;
} loupe_jpeg_info;

/// Reads the header only. Returns 0 on success, -1 with a message in err.
int loupe_jpeg_read_header(const uint8_t *data, size_t size, loupe_jpeg_info *info,
                           char *err, size_t err_len);

/// Decodes the whole image into out (width * height * components bytes, row-major, interleaved).
/// A premature end of data is an error (the file is truncated), not a grey-padded image.
/// Returns 0 on success, -1 with a message in err.
int loupe_jpeg_decode(const uint8_t *data, size_t size, uint8_t *out, size_t out_size,
                      loupe_jpeg_info *info, char *err, size_t err_len);

/// Encodes interleaved pixels: components 1 (gray), 3 (RGB) or 4 (CMYK, written with an Adobe
/// marker, values as given). On success *out is a malloc'd buffer the caller frees with
/// loupe_jpeg_free. Returns 0 on success, -1 with a message in err.
int loupe_jpeg_encode(const uint8_t *pixels, int width, int height, int components, int quality,
                      int progressive, uint8_t **out, size_t *out_size, char *err, size_t err_len);

void loupe_jpeg_free(uint8_t *buffer);

#ifdef __cplusplus
}
#endif
#endif
