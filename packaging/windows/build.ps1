# Build the Windows bundle and installer. Run from the repository root in PowerShell:
#   py -3.11 -m venv .venv; .venv\Scripts\pip install pip-tools; requirements\compile.sh (the locks are made on Linux)
#   .venv\Scripts\pip install -r requirements\packaging.lock; .venv\Scripts\pip install --no-deps -e .
#   (CPU variant: first .venv\Scripts\pip install --index-url https://download.pytorch.org/whl/cpu torch==2.14.1 torchvision==0.29.1)
#   powershell -ExecutionPolicy Bypass -File packaging\windows\build.ps1 [-Variant cpu|cuda]
# Needs NSIS 3 (makensis on PATH) for the CPU variant, Inno Setup 6 (iscc on PATH) for the CUDA one.
param([ValidateSet("auto", "cpu", "cuda")] [string]$Variant = "auto")
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..\..")
$py = ".venv\Scripts\python.exe"
$version = (& $py -c "import sys; sys.path.insert(0, 'packaging'); import meta; print(meta.version())").Trim()
if ($Variant -eq "auto") {
    $cuda = (& $py -c "import torch; print(torch.version.cuda or '')").Trim()
    $Variant = if ($cuda) { "cuda" } else { "cpu" }
}
$out = "packaging\out"
$env:CC_CONSOLE = "1"   # keep the console: the same exe serves the CLI; the GUI is started with "gui"
& $py -m PyInstaller --noconfirm --clean --workpath "$out\build" --distpath "$out\dist" packaging\catalog_curator.spec
if ($LASTEXITCODE) { throw "PyInstaller failed" }
& "$out\dist\catalog-curator\catalog-curator.exe" --bundle-selftest
if ($LASTEXITCODE) { throw "the bundle self-test failed" }
if ($Variant -eq "cpu") {
    makensis /DVERSION=$version /DVARIANT=cpu /DBUNDLE_DIR="$out\dist\catalog-curator" `
        /DOUTFILE="$PWD\$out\catalog-curator-$version-cpu-setup.exe" packaging\windows\catalog-curator.nsi
} else {
    iscc /DVERSION=$version /DBUNDLE_DIR="$PWD\$out\dist\catalog-curator" /DOUTDIR="$PWD\$out" packaging\windows\catalog-curator-cuda.iss
}
if ($LASTEXITCODE) { throw "the installer build failed" }
# Optional: sign with signtool sign /fd sha256 /tr http://timestamp.digicert.com /td sha256 /a <setup.exe>
