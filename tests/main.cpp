// tests/main.cpp - doctest's main for every test binary (sl_test_main).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
