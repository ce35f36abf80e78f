{
  "targets": [
    {
      "target_name": "kernels_native",
      "sources": ["native/addon.cc", "native/conv.cc", "native/matmul.cc", "native/pool.cc", "native/adam.cc", "native/gelu.cc", "native/batchnorm.cc", "native/norm.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17", "-std=gnu++20"],
      "cflags_cc": ["-std=c++17", "-O2", "-fexceptions", "-ffp-contract=off", "-fno-math-errno", "-fno-trapping-math", "-fopenmp"],
      "libraries": ["-ldnnl", "-lgomp"]
    }
  ]
}
