# Writes the file IN as a C++ raw string constant kDemoConfig into OUT.
file(READ ${IN} CONTENT)
file(WRITE ${OUT} "#pragma once\n// Generated from examples/demo.toml.\ninline constexpr const char* kDemoConfig = R\"cutover_toml(${CONTENT})cutover_toml\";\n")
