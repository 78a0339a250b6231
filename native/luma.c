/*
 * Luminance straight from the two commonest uploads, with the libraries made for them:
 * libdeflate inflates a PNG's image data (faster than Node's zlib: docs/design/recognition.md) and
 * libjpeg-turbo decodes only a JPEG's luma channel (no chroma upsampling, no colour conversion).
 * Everything else stays in JavaScript (src/recognise/input/native.ts loads this; src/recognise/input/png.ts is the
 * portable path and the reference these results are tested against).
 *
 * Each thread that loads the addon (the main thread, each pool thread) gets its own decompressors
 * and scratch buffer, through Node-API's instance data.
 */
#include <libdeflate.h>
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <turbojpeg.h>

/* Inflated PNG rows up to this size are kept between calls: fresh pages each time would be faulted in and zeroed. */
#define SCRATCH_KEEP (4u << 20)

typedef struct {
  struct libdeflate_decompressor *inflater;
  tjhandle jpeg;
  uint8_t *scratch;
  size_t scratch_size;
} State;

static void free_state(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  State *state = data;
  if (state->inflater) libdeflate_free_decompressor(state->inflater);
  if (state->jpeg) tjDestroy(state->jpeg);
  free(state->scratch);
  free(state);
}

static State *state_of(napi_env env) {
  void *data = NULL;
  napi_get_instance_data(env, &data);
  return data;
}

/* The Paeth predictor without branches: on photo noise the branches mispredict. */
static inline int paeth(int a, int b, int c) {
  int p = b - c, q = a - c;
  int pa = abs(p), pb = abs(q), pc = abs(p + q);
  int r = pb <= pc ? b : c;
  return (pa <= pb && pa <= pc) ? a : r;
}

/*
 * Paeth and Average rows, each channel's running value (left, upper-left) carried in a register:
 * read back from the row, every byte would wait for the store before it (see docs/design/recognition.md).
 * `bpp` is a constant where these are inlined, so the channels' chains overlap.
 */
static inline __attribute__((always_inline)) void paeth_row(uint8_t *row, const uint8_t *up, size_t n, size_t bpp) {
  uint8_t a[4], c[4];
  for (size_t k = 0; k < bpp; k++) {
    c[k] = up[k];
    a[k] = row[k] += c[k];
  }
  for (size_t i = bpp; i < n; i += bpp)
    for (size_t k = 0; k < bpp; k++) {
      uint8_t b = up[i + k];
      a[k] = row[i + k] += paeth(a[k], b, c[k]);
      c[k] = b;
    }
}

static inline __attribute__((always_inline)) void average_row(uint8_t *row, const uint8_t *up, size_t n, size_t bpp) {
  uint8_t a[4];
  for (size_t k = 0; k < bpp; k++) a[k] = row[k] += up[k] >> 1;
  for (size_t i = bpp; i < n; i += bpp)
    for (size_t k = 0; k < bpp; k++) a[k] = row[i + k] += (a[k] + up[i + k]) >> 1;
}

/* Reverses one row's filter in place; `up` is the unfiltered row above, NULL for the first row. */
static inline __attribute__((always_inline)) int unfilter_row(uint8_t *row, const uint8_t *up, size_t n, size_t bpp, int type) {
  size_t i;
  if (type == 0) return 1;
  if (type > 4) return 0;
  if (type == 1 || (!up && type == 4)) {
    // Sub, and Paeth on the first row, where the predictor is always the left byte.
    for (i = bpp; i < n; i++) row[i] += row[i - bpp];
  } else if (!up) {
    // The first row: Up adds nothing, Average halves the left byte.
    if (type == 3)
      for (i = bpp; i < n; i++) row[i] += row[i - bpp] >> 1;
  } else if (type == 2) {
    for (i = 0; i < n; i++) row[i] += up[i];
  } else if (type == 3) {
    average_row(row, up, n, bpp);
  } else {
    paeth_row(row, up, n, bpp);
  }
  return 1;
}

static int unfilter_rgb_row(uint8_t *row, const uint8_t *up, size_t n, int type) { return unfilter_row(row, up, n, 3, type); }
static int unfilter_grey_row(uint8_t *row, const uint8_t *up, size_t n, int type) { return unfilter_row(row, up, n, 1, type); }

/* The bytes of a Uint8Array argument; NULL (with a pending TypeError) for anything else. */
static uint8_t *bytes_of(napi_env env, napi_value value, size_t *length, const char *name) {
  bool is_typed = false;
  napi_typedarray_type type;
  void *data = NULL;
  if (napi_is_typedarray(env, value, &is_typed) != napi_ok || !is_typed ||
      napi_get_typedarray_info(env, value, &type, length, &data, NULL, NULL) != napi_ok || type != napi_uint8_array) {
    napi_throw_type_error(env, NULL, name);
    return NULL;
  }
  /* An empty array may have no storage at all; callers never read or write past its length. */
  static uint8_t empty[1];
  return data ? data : empty;
}

/* A whole-number argument in 1..limit; 0 (with a pending TypeError) otherwise. */
static uint32_t dimension_of(napi_env env, napi_value value, uint32_t limit, const char *name) {
  double number = 0;
  if (napi_get_value_double(env, value, &number) != napi_ok || !(number >= 1 && number <= limit) || number != (uint32_t)number) {
    napi_throw_type_error(env, NULL, name);
    return 0;
  }
  return (uint32_t)number;
}

static napi_value boolean(napi_env env, int value) {
  napi_value result;
  napi_get_boolean(env, value != 0, &result);
  return result;
}

/* Pixel sides are PNG's and JPEG's own limits; the caller has already checked width x height against its pixel limit. */
#define MAX_SIDE 0x7fffffffu

typedef struct {
  const uint8_t *in;
  size_t in_length;
  uint32_t width, height, channels;
  uint8_t *out;
} LumaCall;

/*
 * Reads (input, width, height, out), or (input, width, height, channels, out) when `with_channels`;
 * false, with a TypeError or RangeError pending, when an argument is wrong or `out` is smaller than
 * width x height (nothing is ever written past it).
 */
static int luma_call(napi_env env, napi_callback_info info, int with_channels, const char *usage, LumaCall *call) {
  size_t expected = with_channels ? 5 : 4, argc = 5, out_length;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc != expected) {
    napi_throw_type_error(env, NULL, usage);
    return 0;
  }
  call->channels = 1;
  if (!(call->in = bytes_of(env, argv[0], &call->in_length, "the input must be a Uint8Array")) ||
      !(call->width = dimension_of(env, argv[1], MAX_SIDE, "width must be a whole number from 1")) ||
      !(call->height = dimension_of(env, argv[2], MAX_SIDE, "height must be a whole number from 1")) ||
      (with_channels && !(call->channels = dimension_of(env, argv[3], 3, "channels must be 1 or 3"))) ||
      !(call->out = bytes_of(env, argv[expected - 1], &out_length, "out must be a Uint8Array")))
    return 0;
  if (call->channels == 2) {
    napi_throw_type_error(env, NULL, "channels must be 1 or 3");
    return 0;
  }
  if ((uint64_t)call->width * call->height > out_length) {
    napi_throw_range_error(env, NULL, "out is smaller than width x height");
    return 0;
  }
  return 1;
}

/*
 * pngLuma(imageData, width, height, channels, out): inflates the joined IDAT payload of an 8-bit,
 * non-interlaced grey (1) or RGB (3) PNG, unfilters it and writes width x height bytes of luma to
 * `out` (Rec. 601 integer weights 77/150/29, as zxing's own decoder). False when the data does not
 * decode to exactly the image's size.
 */
static napi_value png_luma(napi_env env, napi_callback_info info) {
  LumaCall call;
  if (!luma_call(env, info, 1, "pngLuma(imageData, width, height, channels, out)", &call)) return NULL;
  State *state = state_of(env);
  uint32_t width = call.width, height = call.height, channels = call.channels;
  size_t stride = (size_t)width * channels;
  uint64_t expected64 = (uint64_t)(stride + 1) * height;
  if (expected64 > SIZE_MAX / 2) return boolean(env, 0);
  size_t expected = (size_t)expected64;
  uint8_t *raw;
  if (expected <= SCRATCH_KEEP) {
    if (state->scratch_size < expected) {
      uint8_t *grown = realloc(state->scratch, SCRATCH_KEEP);
      if (!grown) return boolean(env, 0);
      state->scratch = grown;
      state->scratch_size = SCRATCH_KEEP;
    }
    raw = state->scratch;
  } else {
    raw = malloc(expected);
    if (!raw) {
      napi_throw_error(env, NULL, "out of memory inflating a PNG");
      return NULL;
    }
  }

  size_t got = 0;
  int ok = libdeflate_zlib_decompress(state->inflater, call.in, call.in_length, raw, expected, &got) == LIBDEFLATE_SUCCESS && got == expected;
  for (uint32_t y = 0; ok && y < height; y++) {
    uint8_t *row = raw + (size_t)y * (stride + 1) + 1;
    const uint8_t *up = y ? row - stride - 1 : NULL;
    ok = channels == 3 ? unfilter_rgb_row(row, up, stride, row[-1]) : unfilter_grey_row(row, up, stride, row[-1]);
    uint8_t *grey = call.out + (size_t)y * width;
    if (channels == 1)
      memcpy(grey, row, width);
    else
      for (uint32_t x = 0; x < width; x++) grey[x] = (uint8_t)((row[3 * x] * 77 + row[3 * x + 1] * 150 + row[3 * x + 2] * 29) >> 8);
  }
  if (raw != state->scratch) free(raw);
  return boolean(env, ok);
}

/*
 * jpegLuma(file, width, height, out): decodes a baseline or progressive JPEG's luminance into
 * `out` (width x height bytes). False when the file is not a JPEG of that size, is CMYK, or is
 * damaged in any way (a warning counts): the caller's fallback decoder reads those leniently.
 */
static napi_value jpeg_luma(napi_env env, napi_callback_info info) {
  LumaCall call;
  if (!luma_call(env, info, 0, "jpegLuma(file, width, height, out)", &call)) return NULL;
  State *state = state_of(env);
  int width, height, subsampling, colourspace;
  if (call.in_length == 0 || tjDecompressHeader3(state->jpeg, call.in, call.in_length, &width, &height, &subsampling, &colourspace) != 0) return boolean(env, 0);
  if ((uint32_t)width != call.width || (uint32_t)height != call.height) return boolean(env, 0);
  if (colourspace != TJCS_YCbCr && colourspace != TJCS_GRAY) return boolean(env, 0);
  return boolean(env, tjDecompress2(state->jpeg, call.in, call.in_length, call.out, width, width, height, TJPF_GRAY, TJFLAG_STOPONWARNING) == 0);
}

NAPI_MODULE_INIT() {
  State *state = calloc(1, sizeof *state);
  if (!state) {
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  state->inflater = libdeflate_alloc_decompressor();
  state->jpeg = tjInitDecompress();
  if (!state->inflater || !state->jpeg || napi_set_instance_data(env, state, free_state, NULL) != napi_ok) {
    free_state(env, state, NULL);
    napi_throw_error(env, NULL, "could not set up the decompressors");
    return NULL;
  }
  napi_property_descriptor functions[] = {
      {"pngLuma", NULL, png_luma, NULL, NULL, NULL, napi_enumerable, NULL},
      {"jpegLuma", NULL, jpeg_luma, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, 2, functions);
  return exports;
}
