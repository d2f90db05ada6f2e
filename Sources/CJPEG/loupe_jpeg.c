#include "loupe_jpeg.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>
#include <jerror.h>

typedef struct {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
    int truncated;
    int warnings;
} loupe_error_mgr;

static void loupe_error_exit(j_common_ptr cinfo) {
    loupe_error_mgr *mgr = (loupe_error_mgr *)cinfo->err;
    (*cinfo->err->format_message)(cinfo, mgr->message);
    longjmp(mgr->jump, 1);
}

static void loupe_emit_message(j_common_ptr cinfo, int level) {
    loupe_error_mgr *mgr = (loupe_error_mgr *)cinfo->err;
    if (level < 0) {
        int code = cinfo->err->msg_code;
        if (code == JWRN_JPEG_EOF || code == JWRN_HIT_MARKER) {
            if (!mgr->truncated) {
                (*cinfo->err->format_message)(cinfo, mgr->message);
            }
            mgr->truncated = 1;
        }
        mgr->warnings += 1;
        cinfo->err->num_warnings++;
    }
}

static void loupe_init_error(loupe_error_mgr *mgr) {
    jpeg_std_error(&mgr->pub);
    mgr->pub.error_exit = loupe_error_exit;
    mgr->pub.emit_message = loupe_emit_message;
    mgr->message[0] = 0;
    mgr->truncated = 0;
    mgr->warnings = 0;
}

static void copy_message(char *err, size_t err_len, const char *message) {
    if (err == NULL || err_len == 0) return;
    snprintf(err, err_len, "%s", message);
}

static void fill_info(struct jpeg_decompress_struct *cinfo, loupe_jpeg_info *info) {
    info->width = (int)cinfo->image_width;
    info->height = (int)cinfo->image_height;
    info->adobe_marker = cinfo->saw_Adobe_marker ? 1 : 0;
    info->progressive = cinfo->progressive_mode ? 1 : 0;
    switch (cinfo->jpeg_color_space) {
    case JCS_GRAYSCALE: info->components = 1; break;
    case JCS_CMYK:
    case JCS_YCCK: info->components = 4; break;
    default: info->components = 3; break;
    }
}

/* Reads the header and, when out is not NULL, decodes the pixels. One function, so that the
   setjmp frame stays active for every libjpeg call. */
static int run_decompress(const uint8_t *data, size_t size, uint8_t *out, size_t out_size,
                          loupe_jpeg_info *info, char *err, size_t err_len) {
    struct jpeg_decompress_struct cinfo;
    loupe_error_mgr mgr;
    memset(info, 0, sizeof(*info));
    if (size > (size_t)0xFFFFFFFFul) {
        copy_message(err, err_len, "file larger than 4 GiB");
        return -1;
    }
    loupe_init_error(&mgr);
    cinfo.err = &mgr.pub;
    if (setjmp(mgr.jump)) {
        copy_message(err, err_len, mgr.message);
        jpeg_destroy_decompress(&cinfo);
        return -1;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);
    fill_info(&cinfo, info);
    if (out == NULL) {
        jpeg_destroy_decompress(&cinfo);
        return 0;
    }
    switch (info->components) {
    case 1: cinfo.out_color_space = JCS_GRAYSCALE; break;
    case 4: cinfo.out_color_space = JCS_CMYK; break;
    default: cinfo.out_color_space = JCS_RGB; break;
    }
    jpeg_start_decompress(&cinfo);
    size_t row_bytes = (size_t)cinfo.output_width * (size_t)cinfo.output_components;
    if (cinfo.output_components != info->components ||
        row_bytes * (size_t)cinfo.output_height > out_size) {
        copy_message(err, err_len, "output buffer does not match the image size");
        jpeg_destroy_decompress(&cinfo);
        return -1;
    }
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW row = out + row_bytes * (size_t)cinfo.output_scanline;
        jpeg_read_scanlines(&cinfo, &row, 1);
        if (mgr.truncated) break;
    }
    if (!mgr.truncated) {
        jpeg_finish_decompress(&cinfo);
    }
    info->warnings = mgr.warnings;
    jpeg_destroy_decompress(&cinfo);
    if (mgr.truncated) {
        copy_message(err, err_len, mgr.message[0] ? mgr.message : "premature end of JPEG data");
        return -1;
    }
    return 0;
}

int loupe_jpeg_read_header(const uint8_t *data, size_t size, loupe_jpeg_info *info,
                           char *err, size_t err_len) {
    return run_decompress(data, size, NULL, 0, info, err, err_len);
}

int loupe_jpeg_decode(const uint8_t *data, size_t size, uint8_t *out, size_t out_size,
                      loupe_jpeg_info *info, char *err, size_t err_len) {
    if (out == NULL) {
        copy_message(err, err_len, "no output buffer");
        return -1;
    }
    return run_decompress(data, size, out, out_size, info, err, err_len);
}

int loupe_jpeg_encode(const uint8_t *pixels, int width, int height, int components, int quality,
                      int progressive, uint8_t **out, size_t *out_size, char *err, size_t err_len) {
    struct jpeg_compress_struct cinfo;
    loupe_error_mgr mgr;
    unsigned char *buffer = NULL;
    unsigned long buffer_size = 0;
    *out = NULL;
    *out_size = 0;
    if (width <= 0 || height <= 0 || width > 65500 || height > 65500) {
        copy_message(err, err_len, "JPEG dimensions must be 1...65500");
        return -1;
    }
    if (components != 1 && components != 3 && components != 4) {
        copy_message(err, err_len, "JPEG components must be 1, 3 or 4");
        return -1;
    }
    loupe_init_error(&mgr);
    cinfo.err = &mgr.pub;
    if (setjmp(mgr.jump)) {
        copy_message(err, err_len, mgr.message);
        jpeg_destroy_compress(&cinfo);
        free(buffer);
        return -1;
    }
    jpeg_create_compress(&cinfo);
    jpeg_mem_dest(&cinfo, &buffer, &buffer_size);
    cinfo.image_width = (JDIMENSION)width;
    cinfo.image_height = (JDIMENSION)height;
    cinfo.input_components = components;
    cinfo.in_color_space = components == 1 ? JCS_GRAYSCALE : (components == 4 ? JCS_CMYK : JCS_RGB);
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, quality < 1 ? 1 : (quality > 100 ? 100 : quality), TRUE);
    if (progressive) jpeg_simple_progression(&cinfo);
    jpeg_start_compress(&cinfo, TRUE);
    size_t row_bytes = (size_t)width * (size_t)components;
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + row_bytes * (size_t)cinfo.next_scanline);
        jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    *out = buffer;
    *out_size = (size_t)buffer_size;
    return 0;
}

void loupe_jpeg_free(uint8_t *buffer) { free(buffer); }
