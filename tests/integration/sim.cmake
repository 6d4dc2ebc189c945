# `wsrm-bridge sim`, the DFDG simulator, against a webhook receiver written in Python
# (tests/integration/test_sim.py). Included from tests/integration/CMakeLists.txt, after
# bridge_python_test() is defined.
bridge_python_test(integration_sim test_sim ${CMAKE_CURRENT_SOURCE_DIR} integration 180)
