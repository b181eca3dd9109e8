# crmsync::engine — the pipeline: classify, batch, acknowledge, the flow graph, reports.
add_library(crmsync_engine STATIC
  src/batcher.cpp
  src/classify.cpp
  src/config.cpp
  src/message_key.cpp
  src/page_tracker.cpp
  src/run.cpp
  src/run_report.cpp
  src/task_record.cpp
  src/tenant_runtime.cpp
  src/text.cpp)
add_library(crmsync::engine ALIAS crmsync_engine)
target_include_directories(crmsync_engine PUBLIC include PRIVATE src)
target_link_libraries(crmsync_engine
  PUBLIC crmsync::core crmsync::http crmsync::auth crmsync::graph crmsync::salesforce crmsync::state
  PRIVATE TBB::tbb fmt::fmt tomlplusplus::tomlplusplus OpenSSL::Crypto)
