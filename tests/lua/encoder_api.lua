-- encoder_api.lua — encoder under the 1.5 profile (cases in lib_encoder.lua).
require("lib_encoder").run()
