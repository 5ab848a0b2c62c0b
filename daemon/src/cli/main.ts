/** The `btd` command line. */
export function main(argv: string[]): void {
  console.log('btd', argv.join(' '));
}
