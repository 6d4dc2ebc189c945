// The Boost.Test module of unit_shadow; the suites are in the *_test.cpp files next to it.
#define BOOST_TEST_MODULE unit_shadow
#include <boost/test/unit_test.hpp>
