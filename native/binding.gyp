{
  "targets": [
    {
      "target_name": "qrw_luma",
      "sources": ["luma.c"],
      "libraries": ["-ldeflate", "-lturbojpeg"],
      "cflags": ["-O2", "-Wall", "-Wextra"]
    }
  ]
}
