{
  "targets": [
    {
      "target_name": "qrw_luma",
      "sources": ["luma.c"],
      "libraries": ["-ldeflate", "-lturbojpeg"],
      # -O2, not node-gyp's -O3: at -O3 GCC 12 unrolls the unfilter loops into slower code (docs/design/recognition.md).
      "cflags!": ["-O3"],
      "cflags": ["-O2", "-Wall", "-Wextra"]
    }
  ]
}
