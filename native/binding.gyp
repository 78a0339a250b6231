{
  "targets": [
    {
      "target_name": "qrw_luma",
      "sources": ["luma.c"],
      "libraries": ["-ldeflate", "-lturbojpeg"],
      # -O2, not node-gyp's -O3: at -O3 GCC 12 unrolls the unfilter loops into slower code (1.1 against 0.8 ms a bench PNG).
      "cflags!": ["-O3"],
      "cflags": ["-O2", "-Wall", "-Wextra"]
    }
  ]
}
