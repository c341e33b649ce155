; Inno Setup script: wraps the Windows PyInstaller build (dist\spdesk\) into one setup .exe.
; Built by .github/workflows/windows-installer.yml on a Windows runner:
;   pyinstaller --noconfirm --distpath dist installer\spdesk.spec
;   iscc /DAppVersion=0.1.0 /DSourceDir=..\..\dist\spdesk installer\windows\spdesk.iss
; The program goes to Program Files; each user's data stays in %LOCALAPPDATA%\spdesk\spdesk (app.paths),
; which the uninstaller never touches, so upgrades and removal keep it.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#ifndef SourceDir
  #define SourceDir "..\..\dist\spdesk"
#endif

[Setup]
AppId={{6B1F0C52-3D5A-4E2B-9B8F-5A7C2E1D4F30}
AppName=政府购买服务工作台
AppVerName=政府购买服务工作台 {#AppVersion}
AppVersion={#AppVersion}
AppPublisher=Service Purchase Desk
DefaultDirName={autopf}\spdesk
DefaultGroupName=政府购买服务工作台
DisableProgramGroupPage=yes
OutputDir=..\..\dist
OutputBaseFilename=spdesk-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
PrivilegesRequiredOverridesAllowed=dialog
UninstallDisplayIcon={app}\spdesk.exe
WizardStyle=modern
ShowLanguageDialog=no

[Languages]
Name: "chinesesimplified"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\政府购买服务工作台"; Filename: "{app}\spdesk.exe"
Name: "{group}\{cm:UninstallProgram,政府购买服务工作台}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\政府购买服务工作台"; Filename: "{app}\spdesk.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\spdesk.exe"; Description: "{cm:LaunchProgram,政府购买服务工作台}"; Flags: nowait postinstall skipifsilent

; Only the install folder is removed. The data folder (%LOCALAPPDATA%\spdesk) is deliberately not
; listed in [UninstallDelete], so the uninstaller keeps every user's database and backups.
[UninstallDelete]
Type: filesandordirs; Name: "{app}\_internal"
