{
  "targets": [
    {
      "target_name": "llmcore_native",
      "sources": ["addon.cc", "gemm.cc", "kernels.cc", "rowwise.cc", "attention.cc"],
      "cflags_cc": ["-O3", "-std=c++17", "-ffp-contract=off"],
      "cflags_cc!": ["-fno-rtti"]
    }
  ]
}
