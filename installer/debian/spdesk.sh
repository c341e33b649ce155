#!/bin/sh
# /usr/bin/spdesk: start the program installed under /opt/spdesk (data stays in the user's data folder).
exec /opt/spdesk/spdesk "$@"
