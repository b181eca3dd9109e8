# crmsync::engine — the pipeline: classify, batch, acknowledge, the flow graph, reports.
add_library(crmsync_engine STATIC
  src/batcher.cpp
  src/classify.cpp
  src/config.cpp
  src/config_capture.cpp
  src/crm_resolver.cpp
  src/google_source.cpp
  src/exchange_source.cpp
  src/message_key.cpp
  src/page_tracker.cpp
  src/run.cpp
  src/run_report.cpp
  src/secrets.cpp
  src/task_record.cpp
  src/tenant_runtime.cpp
  src/text.cpp)
add_library(crmsync::engine ALIAS crmsync_engine)
target_include_directories(crmsync_engine PUBLIC include PRIVATE src)
target_link_libraries(crmsync_engine
  PUBLIC crmsync::core crmsync::http crmsync::auth crmsync::graph crmsync::gmail crmsync::salesforce crmsync::state
  PRIVATE crmsync::connector_json TBB::tbb fmt::fmt tomlplusplus::tomlplusplus OpenSSL::Crypto)

# oneTBB's flow graph casts a task to its derived type from inside the base
# constructor (detail/_flow_graph_impl.h), which UBSan's vptr check reports
# although the object is then fully built. The check stays on everywhere else.
if(CRMSYNC_SANITIZE MATCHES "undefined")
  target_compile_options(crmsync_engine PRIVATE -fno-sanitize=vptr)
endif()
