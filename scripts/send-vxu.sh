#!/usr/bin/env bash
# Sends a VXU^V04 to the sandbox gateway's MLLP port with socat (or nc) and
# prints the ACK. Usage: scripts/send-vxu.sh [host] [port]
set -euo pipefail
host=${1:-127.0.0.1}
port=${2:-2575}
id="VXU$(date +%s)"
msg="MSH|^~\\&|MYEHR|CLINIC|OUTPOST|GATEWAY|$(date +%Y%m%d%H%M%S)||VXU^V04^VXU_V04|${id}|P|2.5.1\r\
PID|1||SANDBOX-${id}^^^MYEHR^MR||Okafor^Chidi^^^^^L||20250115|M\r\
ORC|RE||${id}-1^MYEHR\r\
RXA|0|1|$(date +%Y%m%d)||08^Hep B, adolescent or pediatric^CVX|0.5|mL^mL^UCUM||00^New immunization record^NIP001||||||LOT123||MSD^Merck^MVX|||CP|A\r"
if command -v socat >/dev/null; then
  printf "\x0b${msg}\x1c\r" | socat -t 5 - "TCP:${host}:${port}" | tr '\r' '\n' | tr -d '\013\034'
else
  printf "\x0b${msg}\x1c\r" | nc -q 5 "$host" "$port" | tr '\r' '\n' | tr -d '\013\034'
fi
