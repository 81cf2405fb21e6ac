; Inno Setup 6 script for the CUDA variant on Windows: the bundle is ~4 GB, over NSIS's 2 GB limit, so
; it is split into setup.exe + setup-N.bin slices (DiskSpanning). Built by packaging/windows/build.ps1:
;
;   iscc /DVERSION=<version> /DBUNDLE_DIR=..\out\dist\catalog-curator /DOUTDIR=..\out packaging\windows\catalog-curator-cuda.iss
#ifndef VERSION
  #error Pass /DVERSION=<core.__version__> (packaging/windows/build.ps1 does)
#endif
#ifndef BUNDLE_DIR
  #define BUNDLE_DIR "..\out\dist\catalog-curator"
#endif
#ifndef OUTDIR
  #define OUTDIR "..\out"
#endif

[Setup]
AppId={{5C7B2B7E-2F4A-4C65-9D0B-6E5C1A7F2B31}
AppName=Catalog Curator
AppVersion={#VERSION}
AppPublisher=Catalog Curator developers
DefaultDirName={autopf}\Catalog Curator
DefaultGroupName=Catalog Curator
OutputDir={#OUTDIR}
OutputBaseFilename=catalog-curator-{#VERSION}-cuda-setup
LicenseFile=..\..\LICENSE
SetupIconFile=..\..\resources\icons\app.ico
UninstallDisplayIcon={app}\catalog-curator.exe
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
Compression=lzma2/fast
SolidCompression=no
DiskSpanning=yes
DiskSliceSize=max
PrivilegesRequired=admin
WizardStyle=modern

[InstallDelete]
; an upgrade must not keep DLLs of an older torch
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#BUNDLE_DIR}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\Catalog Curator"; Filename: "{app}\catalog-curator.exe"; Parameters: "gui"
Name: "{group}\Uninstall Catalog Curator"; Filename: "{uninstallexe}"

[Run]
Filename: "{app}\catalog-curator.exe"; Parameters: "gui"; Description: "Start Catalog Curator"; Flags: nowait postinstall skipifsilent
