import "/work/main/src/config/load_config.ts";import "/work/main/src/app/run_service.ts";
setInterval(() => {}, 1000);
