/**
 * Shell completion scripts, generated from the command list oclif loads (oclif.manifest.json when
 * installed): commands, their flags, and the values of flags that take a fixed set (--output). No
 * plugin: @oclif/plugin-autocomplete would add three runtime dependencies for the same few lines.
 */

export interface CompletionFlag {
  name: string;
  char?: string;
  description?: string;
  /** Takes a value (false: a boolean switch). */
  takesValue: boolean;
  options?: readonly string[];
}

export interface CompletionCommand {
  id: string;
  summary?: string;
  flags: CompletionFlag[];
}

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** Shell words are our own names (commands, flags, option values): still, quote anything unusual. */
function word(text: string): string {
  return /^[A-Za-z0-9_.:/=-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}

function oneLine(text: string | undefined): string {
  return (text ?? '').split('\n')[0]!.replace(/\s+/g, ' ').trim();
}

/** bash: `complete -F _layerdelta layerdelta`; flag values for --output and the like; files otherwise. */
export function bashCompletion(bin: string, commands: readonly CompletionCommand[]): string {
  const fn = `_${bin.replace(/[^A-Za-z0-9_]/g, '_')}`;
  const flagWords = (c: CompletionCommand) =>
    c.flags.flatMap((f) => [`--${f.name}`, ...(f.char ? [`-${f.char}`] : [])]).join(' ');
  const valueCases = commands
    .flatMap((c) => c.flags.filter((f) => f.options).map((f) => ({ c, f })))
    .map(
      ({ c, f }) =>
        `    ${word(c.id)}:--${f.name}${f.char ? `|${word(c.id)}:-${f.char}` : ''}) COMPREPLY=($(compgen -W ${word((f.options ?? []).join(' '))} -- "$cur")); return ;;`,
    );
  return `# ${bin} completion for bash: source <(${bin} completion bash)
${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}"
  local prev="\${COMP_WORDS[COMP_CWORD-1]}"
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W ${word(commands.map((c) => c.id).join(' '))} -- "$cur"))
    return
  fi
  local cmd="\${COMP_WORDS[1]}"
  case "$cmd:$prev" in
${valueCases.join('\n')}
  esac
  local flags=""
  case "$cmd" in
${commands.map((c) => `    ${word(c.id)}) flags=${word(flagWords(c))} ;;`).join('\n')}
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$flags" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -o filenames -F ${fn} ${bin}
`;
}

/** zsh runs the bash function through its own bashcompinit (part of every zsh). */
export function zshCompletion(bin: string, commands: readonly CompletionCommand[]): string {
  return `# ${bin} completion for zsh: source <(${bin} completion zsh)
autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit
${bashCompletion(bin, commands).split('\n').slice(1).join('\n')}`;
}

/** fish: one `complete` line per command and per flag, with descriptions. */
export function fishCompletion(bin: string, commands: readonly CompletionCommand[]): string {
  const lines = [`# ${bin} completion for fish: ${bin} completion fish | source`, `complete -c ${bin} -f`];
  for (const c of commands) {
    lines.push(`complete -c ${bin} -n __fish_use_subcommand -a ${word(c.id)} -d ${word(oneLine(c.summary))}`);
    for (const f of c.flags) {
      const parts = [
        `complete -c ${bin} -n ${word(`__fish_seen_subcommand_from ${c.id}`)} -l ${word(f.name)}`,
      ];
      if (f.char) parts.push(`-s ${word(f.char)}`);
      if (f.takesValue) parts.push(f.options ? `-x -a ${word(f.options.join(' '))}` : '-r -F');
      if (f.description) parts.push(`-d ${word(oneLine(f.description))}`);
      lines.push(parts.join(' '));
    }
  }
  return `${lines.join('\n')}\n`;
}

export function completionScript(shell: Shell, bin: string, commands: readonly CompletionCommand[]): string {
  if (shell === 'zsh') return zshCompletion(bin, commands);
  if (shell === 'fish') return fishCompletion(bin, commands);
  return bashCompletion(bin, commands);
}
