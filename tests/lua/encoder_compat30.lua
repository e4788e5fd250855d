-- profile: 3.0
-- encoder_compat30.lua — encoder under the 3.0 profile (cases in lib_encoder.lua).
require("lib_encoder").run()
