import type { Command } from 'commander';
import { ClawError } from '../domain/errors.js';
import type { Io } from './options.js';

interface Spec {
  name: string;
  summary: string;
  options: { long?: string; short?: string; takesValue: boolean; choices?: readonly string[] }[];
}

/** Commands and their options, read from the program itself: completion never lags behind the CLI. */
function specs(program: Command): Spec[] {
  const of = (c: Command, prefix = ''): Spec[] => [
    {
      name: prefix + c.name(),
      summary: c.summary() || c.description().split('\n')[0]!,
      options: c.options.map((o) => ({ ...(o.long ? { long: o.long } : {}), ...(o.short ? { short: o.short } : {}), takesValue: o.required || o.optional, ...(o.argChoices ? { choices: o.argChoices } : {}) })),
    },
    ...c.commands.flatMap((s) => of(s, `${prefix}${c.name()} `)),
  ];
  return program.commands.flatMap((c) => of(c));
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function bash(program: Command): string {
  const all = specs(program);
  const top = all.filter((s) => !s.name.includes(' ')).map((s) => s.name);
  const cases = all
    .map((s) => {
      const words = [...s.options.flatMap((o) => [o.long, o.short]).filter(Boolean), '--help', ...all.filter((t) => t.name.startsWith(s.name + ' ')).map((t) => t.name.slice(s.name.length + 1))];
      return `    ${q(s.name)}) words=${q(words.join(' '))} ;;`;
    })
    .join('\n');
  return `# clawfleet completion for bash (and zsh with bashcompinit): eval "$(clawfleet completion bash)"
_clawfleet() {
  local cur=\${COMP_WORDS[COMP_CWORD]} cmd='' words='' i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case \${COMP_WORDS[i]} in -*) ;; *) if [ -z "$cmd" ]; then cmd=\${COMP_WORDS[i]}; elif [ "$cmd" = runs ] && [ "\${COMP_WORDS[i]}" = show ]; then cmd='runs show'; fi ;; esac
  done
  case $cmd in
    '') words=${q([...top, 'help', '--help', '--version', '--no-color', '--quiet', '--verbose'].join(' '))} ;;
${cases}
  esac
  if [ -z "$cmd" ] || [[ $cur == -* ]] || [ "$cmd" = runs ]; then
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -o default -F _clawfleet clawfleet
`;
}

function fish(program: Command): string {
  const lines = ['# clawfleet completion for fish: clawfleet completion fish | source'];
  for (const s of specs(program)) {
    const [cmd, sub] = s.name.split(' ');
    if (sub) lines.push(`complete -c clawfleet -f -n ${q(`__fish_seen_subcommand_from ${cmd}`)} -a ${q(sub)} -d ${q(s.summary)}`);
    else lines.push(`complete -c clawfleet -f -n __fish_use_subcommand -a ${q(cmd!)} -d ${q(s.summary)}`);
    for (const o of s.options) {
      const flags = [o.long ? `-l ${o.long.slice(2)}` : '', o.short ? `-s ${o.short.slice(1)}` : '', o.takesValue ? '-r' : '', o.choices ? `-a ${q(o.choices.join(' '))}` : ''].filter(Boolean).join(' ');
      lines.push(`complete -c clawfleet -n ${q(`__fish_seen_subcommand_from ${cmd}`)} ${flags}`);
    }
  }
  return lines.join('\n') + '\n';
}

export function registerCompletion(program: Command, io: Io): void {
  program
    .command('completion')
    .argument('[SHELL]', 'bash (default; zsh through bashcompinit) or fish', 'bash')
    .summary('print a shell completion script')
    .description('Prints a completion script for clawfleet\'s commands and options.')
    .addHelpText('after', '\nbash:  eval "$(clawfleet completion bash)"   (or save it under ~/.local/share/bash-completion/completions/clawfleet)\nzsh:   autoload -U bashcompinit && bashcompinit && eval "$(clawfleet completion bash)"\nfish:  clawfleet completion fish > ~/.config/fish/completions/clawfleet.fish')
    .action((shell: string) => {
      if (shell !== 'bash' && shell !== 'zsh' && shell !== 'fish') throw new ClawError('USAGE', `completion: unknown shell "${shell}" (bash, zsh or fish)`);
      io.out.write(shell === 'fish' ? fish(program) : bash(program));
      io.code = 0;
    });
}
