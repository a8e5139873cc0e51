-- SPDX-License-Identifier: GPL-2.0-or-later
-- The command line of a stock script: an argparse parser whose usage errors
-- end the run as keytime-run's own do, with one line and exit status 2
-- (argparse's own way prints the whole usage and exits 1).
local argparse = require "argparse"
local M = {}

function M.parser(script, description, epilog)
  local parser = argparse(script, description, epilog)
  parser.error = function(_, msg)
    -- argparse's "Did you mean ...?" comes on a line of its own.
    msg = msg:gsub("\n[Dd]id you mean", "; did you mean"):gsub("\n", "; ")
    io.stderr:write(script, ": ", msg, " (see --help)\n")
    os.exit(2)
  end
  return parser
end

return M
