Unicode true
# A 64-bit installer for a 64-bit app (it runs under Wine 8 without its 32-bit
# half, too: the Wine test installs and uninstalls it).
Target amd64-unicode

####
## VoiceDesk's Windows installer (NSIS 3, built by `make package` through
## `wails build -nsis`; wails_tools.nsh beside it is Wails' own, regenerated
## each build: its architecture check, file list and WebView2 bootstrapper
## are used from it, its HKLM-only uninstall entry is not).
##
## Who installs it, and how:
##   an agent, without admin rights:   VoiceDesk-<v>-windows-amd64-setup.exe
##                                     (per user, into %LOCALAPPDATA%\Programs\VoiceDesk)
##   a fleet, silently, per machine:   VoiceDesk-<v>-windows-amd64-setup.exe /S /AllUsers
##                                     (elevated: SCCM, Intune, a GPO startup script;
##                                      into %ProgramFiles%\VoiceDesk)
##   silently, per user:               ... /S /CurrentUser
##   uninstall:                        "<install folder>\uninstall.exe" /S (the mode is remembered)
## Both register tel:, callto:, sip: and sips: links (a ProgID, and the
## capabilities Windows' Default apps lists), a Start menu entry and an
## uninstall entry in Apps & features.
####
!define INFO_PROJECTNAME "VoiceDesk"
!define PRODUCT_EXECUTABLE "voicedesk.exe"
!define REQUEST_EXECUTION_LEVEL "highest"
!include "wails_tools.nsh"

!define UNINST "Software\Microsoft\Windows\CurrentVersion\Uninstall\VoiceDesk"
!define PROGID "VoiceDesk.Link"
!define CAPS "Software\VoiceDesk\Capabilities"

# Per user unless asked (/AllUsers, or the choice page an administrator sees).
!define MULTIUSER_EXECUTIONLEVEL Highest
!define MULTIUSER_MUI
!define MULTIUSER_INSTALLMODE_COMMANDLINE
!define MULTIUSER_INSTALLMODE_DEFAULT_CURRENTUSER
!define MULTIUSER_INSTALLMODE_INSTDIR "VoiceDesk"
!define MULTIUSER_USE_PROGRAMFILES64
!define MULTIUSER_INSTALLMODE_DEFAULT_REGISTRY_KEY "Software\VoiceDesk"
!define MULTIUSER_INSTALLMODE_DEFAULT_REGISTRY_VALUENAME "InstallMode"
!define MULTIUSER_INSTALLMODE_INSTDIR_REGISTRY_KEY "Software\VoiceDesk"
!define MULTIUSER_INSTALLMODE_INSTDIR_REGISTRY_VALUENAME "InstallDir"
!include "MultiUser.nsh"

VIProductVersion "${INFO_PRODUCTVERSION}.0"
VIFileVersion    "${INFO_PRODUCTVERSION}.0"
VIAddVersionKey "CompanyName"     "${INFO_COMPANYNAME}"
VIAddVersionKey "FileDescription" "${INFO_PRODUCTNAME} Installer"
VIAddVersionKey "ProductVersion"  "${INFO_PRODUCTVERSION}"
VIAddVersionKey "FileVersion"     "${INFO_PRODUCTVERSION}"
VIAddVersionKey "LegalCopyright"  "${INFO_COPYRIGHT}"
VIAddVersionKey "ProductName"     "${INFO_PRODUCTNAME}"

ManifestDPIAware true

!include "MUI2.nsh"
!define MUI_ICON "..\icon.ico"
!define MUI_UNICON "..\icon.ico"
!define MUI_ABORTWARNING
!insertmacro MUI_PAGE_WELCOME
!insertmacro MULTIUSER_PAGE_INSTALLMODE
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!define MUI_FINISHPAGE_RUN "$INSTDIR\${PRODUCT_EXECUTABLE}"
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

Name "${INFO_PRODUCTNAME}"
OutFile "..\..\bin\${INFO_PROJECTNAME}-${INFO_PRODUCTVERSION}-windows-${ARCH}-setup.exe"
ShowInstDetails show

Function .onInit
  !insertmacro wails.checkArchitecture
  !insertmacro MULTIUSER_INIT
FunctionEnd

Function un.onInit
  !insertmacro MULTIUSER_UNINIT
FunctionEnd

# One link scheme: the ProgID answers it, the capabilities list it, and the
# scheme's own key is written only where no other program has claimed it
# (Windows 10+ lets only the user pick among claimants, in Default apps).
!macro VD_SCHEME SCHEME
  WriteRegStr SHCTX "${CAPS}\URLAssociations" "${SCHEME}" "${PROGID}"
  ReadRegStr $0 SHCTX "Software\Classes\${SCHEME}\shell\open\command" ""
  ${If} $0 == ""
    WriteRegStr SHCTX "Software\Classes\${SCHEME}" "" "URL:${SCHEME}"
    WriteRegStr SHCTX "Software\Classes\${SCHEME}" "URL Protocol" ""
    WriteRegStr SHCTX "Software\Classes\${SCHEME}\DefaultIcon" "" "$INSTDIR\${PRODUCT_EXECUTABLE},0"
    WriteRegStr SHCTX "Software\Classes\${SCHEME}\shell\open\command" "" '"$INSTDIR\${PRODUCT_EXECUTABLE}" "%1"'
  ${EndIf}
!macroend

!macro VD_UNSCHEME SCHEME
  ReadRegStr $0 SHCTX "Software\Classes\${SCHEME}\shell\open\command" ""
  ${If} $0 == '"$INSTDIR\${PRODUCT_EXECUTABLE}" "%1"'
    DeleteRegKey SHCTX "Software\Classes\${SCHEME}"
  ${EndIf}
!macroend

Section
  !insertmacro wails.webview2runtime
  SetOutPath $INSTDIR
  !insertmacro wails.files
  CreateShortcut "$SMPROGRAMS\${INFO_PRODUCTNAME}.lnk" "$INSTDIR\${PRODUCT_EXECUTABLE}"

  # Links: the ProgID, its capabilities, the schemes.
  WriteRegStr SHCTX "Software\Classes\${PROGID}" "" "VoiceDesk phone link"
  WriteRegStr SHCTX "Software\Classes\${PROGID}" "URL Protocol" ""
  WriteRegStr SHCTX "Software\Classes\${PROGID}\DefaultIcon" "" "$INSTDIR\${PRODUCT_EXECUTABLE},0"
  WriteRegStr SHCTX "Software\Classes\${PROGID}\shell\open\command" "" '"$INSTDIR\${PRODUCT_EXECUTABLE}" "%1"'
  WriteRegStr SHCTX "${CAPS}" "ApplicationName" "VoiceDesk"
  WriteRegStr SHCTX "${CAPS}" "ApplicationDescription" "Desktop softphone for contact-center agents"
  !insertmacro VD_SCHEME "tel"
  !insertmacro VD_SCHEME "callto"
  !insertmacro VD_SCHEME "sip"
  !insertmacro VD_SCHEME "sips"
  WriteRegStr SHCTX "Software\RegisteredApplications" "VoiceDesk" "${CAPS}"

  # Apps & features, in the install's own hive (HKCU per user, HKLM per machine).
  WriteUninstaller "$INSTDIR\uninstall.exe"
  WriteRegStr SHCTX "Software\VoiceDesk" "InstallMode" $MultiUser.InstallMode
  WriteRegStr SHCTX "Software\VoiceDesk" "InstallDir" "$INSTDIR"
  WriteRegStr SHCTX "${UNINST}" "DisplayName" "${INFO_PRODUCTNAME}"
  WriteRegStr SHCTX "${UNINST}" "DisplayVersion" "${INFO_PRODUCTVERSION}"
  WriteRegStr SHCTX "${UNINST}" "Publisher" "${INFO_COMPANYNAME}"
  WriteRegStr SHCTX "${UNINST}" "DisplayIcon" "$INSTDIR\${PRODUCT_EXECUTABLE}"
  WriteRegStr SHCTX "${UNINST}" "InstallLocation" "$INSTDIR"
  WriteRegStr SHCTX "${UNINST}" "UninstallString" '"$INSTDIR\uninstall.exe" /$MultiUser.InstallMode'
  WriteRegStr SHCTX "${UNINST}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S /$MultiUser.InstallMode'
  WriteRegDWORD SHCTX "${UNINST}" "NoModify" 1
  WriteRegDWORD SHCTX "${UNINST}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD SHCTX "${UNINST}" "EstimatedSize" "$0"
SectionEnd

Section "uninstall"
  # The app's own start-at-login entry (Settings), if the user turned it on.
  DeleteRegValue HKCU "Software\Microsoft\Windows\CurrentVersion\Run" "VoiceDesk"
  !insertmacro VD_UNSCHEME "tel"
  !insertmacro VD_UNSCHEME "callto"
  !insertmacro VD_UNSCHEME "sip"
  !insertmacro VD_UNSCHEME "sips"
  DeleteRegKey SHCTX "Software\Classes\${PROGID}"
  DeleteRegValue SHCTX "Software\RegisteredApplications" "VoiceDesk"
  DeleteRegKey SHCTX "Software\VoiceDesk"
  DeleteRegKey SHCTX "${UNINST}"
  Delete "$SMPROGRAMS\${INFO_PRODUCTNAME}.lnk"
  Delete "$INSTDIR\${PRODUCT_EXECUTABLE}"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  # Settings, the call history and the WebView's data in the user's profile
  # stay (a reinstall keeps them); the keyring's entries too.
SectionEnd
