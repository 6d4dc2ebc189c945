# gSOAP code generated from wsdl/ at build time into ${BRIDGE_GEN_DIR}; never committed.

set(BRIDGE_GEN_DIR ${PROJECT_BINARY_DIR}/gen)
file(GLOB_RECURSE BRIDGE_CONTRACT_FILES CONFIGURE_DEPENDS
     ${PROJECT_SOURCE_DIR}/wsdl/*.wsdl ${PROJECT_SOURCE_DIR}/wsdl/*.xsd
     ${PROJECT_SOURCE_DIR}/wsdl/typemap.dat)

set(BRIDGE_GEN_SOURCES ${BRIDGE_GEN_DIR}/soapC.cpp ${BRIDGE_GEN_DIR}/soapServer.cpp
                       ${BRIDGE_GEN_DIR}/soapClient.cpp ${BRIDGE_GEN_DIR}/wsrm_namespaces.cpp)
add_custom_command(
  OUTPUT ${BRIDGE_GEN_SOURCES} ${BRIDGE_GEN_DIR}/soapH.h ${BRIDGE_GEN_DIR}/soapStub.h
         ${BRIDGE_GEN_DIR}/wsrm_items.h
  COMMAND ${CMAKE_COMMAND} -DSRC=${PROJECT_SOURCE_DIR}/wsdl -DOUT=${BRIDGE_GEN_DIR}
          -DWSDL2H=${WSDL2H} -DSOAPCPP2=${SOAPCPP2} -DIMPORT=${GSOAP_IMPORT_DIR}
          -P ${PROJECT_SOURCE_DIR}/cmake/gsoap_generate.cmake
  DEPENDS ${BRIDGE_CONTRACT_FILES} ${PROJECT_SOURCE_DIR}/cmake/gsoap_generate.cmake
  COMMENT "Generating gSOAP code from wsdl/"
  VERBATIM)

# Generated code and gSOAP's plugin sources build with gSOAP's own flags and relaxed warnings;
# they are never edited.

function(bridge_gsoap_library name)
  add_library(${name} STATIC ${ARGN})
  target_include_directories(${name} SYSTEM PUBLIC ${BRIDGE_GEN_DIR} ${GSOAP_PLUGIN_DIR}
                                                   ${GSOAP_PLUGIN_DIR}/..)
  target_compile_options(${name} PRIVATE -w)
  target_link_libraries(${name} PUBLIC PkgConfig::GSOAPSSL OpenSSL::SSL OpenSSL::Crypto)
endfunction()

# Types, serializers and the namespace table; the server dispatcher and the client stubs are
# separate so that a program links only the side it uses.
# libgsoapssl++ calls back into the generated serializers and the namespace table, which a
# linker would otherwise drop from a static archive that nothing of ours references yet: the
# archive is linked whole.
bridge_gsoap_library(bridge_gsoap_types_archive ${BRIDGE_GEN_DIR}/soapC.cpp
                     ${BRIDGE_GEN_DIR}/wsrm_namespaces.cpp)
add_library(bridge_gsoap_types INTERFACE)
target_link_libraries(bridge_gsoap_types
                      INTERFACE "$<LINK_LIBRARY:WHOLE_ARCHIVE,bridge_gsoap_types_archive>")
bridge_gsoap_library(bridge_gsoap_server ${BRIDGE_GEN_DIR}/soapServer.cpp)
target_link_libraries(bridge_gsoap_server PUBLIC bridge_gsoap_types)
bridge_gsoap_library(bridge_gsoap_client ${BRIDGE_GEN_DIR}/soapClient.cpp)
target_link_libraries(bridge_gsoap_client PUBLIC bridge_gsoap_types)
