# crmsync::engine — the pipeline: classify, batch, acknowledge, the flow graph, reports.
add_library(crmsync_engine STATIC
  src/batcher.cpp src/done_keys.cpp src/commit_generations.cpp
  src/calendar_run.cpp src/calendar_window.cpp src/freebusy_run.cpp
  src/capture_rules.cpp
  src/classify.cpp src/mailbox_user.cpp
  src/address_list.cpp
  src/config.cpp
  src/config_capture.cpp
  src/config_example.cpp src/config_keys.cpp
  src/metrics.cpp src/doctor.cpp src/log.cpp
  src/crm_resolver.cpp src/lead_creator.cpp
  src/email_message_record.cpp
  src/event_record.cpp
  src/google_source.cpp
  src/gmail_user_source.cpp
  src/exchange_source.cpp
  src/message_key.cpp
  src/page_tracker.cpp src/stream_plan.cpp src/stored_users.cpp src/write_backpressure.cpp
  src/stream_window.cpp
  src/quarantine_record.cpp src/quarantine_retry.cpp
  src/provisioning.cpp src/provisioning_service.cpp src/provisioning_inbox.cpp
  src/run.cpp
  src/backfill.cpp
  src/salesforce_budget.cpp
  src/learned_org_limit.cpp
  src/sealed_token_keeper.cpp
  src/run_report.cpp
  src/secrets.cpp
  src/master_key.cpp
  src/blocking_upsert.cpp
  src/task_record.cpp
  src/tenant_runtime.cpp
  src/tenant_setup.cpp
  src/mailbox_grants.cpp
  src/user_sessions.cpp
  src/text.cpp)
add_library(crmsync::engine ALIAS crmsync_engine)
# RE2 ships no CMake package in Debian 12 (DEPENDENCIES.md): pkg-config it,
# unless another directory already did in a scope visible here.
if(NOT TARGET PkgConfig::RE2)
  pkg_check_modules(RE2 REQUIRED IMPORTED_TARGET re2)
endif()
target_include_directories(crmsync_engine PUBLIC include PRIVATE src)
target_link_libraries(crmsync_engine
  PUBLIC crmsync::core crmsync::http crmsync::auth crmsync::graph crmsync::gmail crmsync::ews crmsync::salesforce crmsync::state
  PRIVATE crmsync::connector_json simdjson::simdjson TBB::tbb fmt::fmt tomlplusplus::tomlplusplus OpenSSL::Crypto PkgConfig::RE2)

# oneTBB's flow graph casts a task to its derived type from inside the base
# constructor (detail/_flow_graph_impl.h), which UBSan's vptr check reports
# although the object is then fully built. The check stays on everywhere else.
if(CRMSYNC_SANITIZE MATCHES "undefined")
  target_compile_options(crmsync_engine PRIVATE -fno-sanitize=vptr)
endif()
