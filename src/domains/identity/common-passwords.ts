/**
 * Common passwords and the common words they are built from (drawn from published breach top lists).
 * COMMON_PASSWORDS holds whole passwords of 12 characters or more as people choose them; COMMON_WORDS
 * holds the words that, with only digits, symbols or letter swaps added, make a guessable password.
 */

/** Whole common passwords (lower case). */
export const COMMON_PASSWORDS: ReadonlySet<string> = new Set(
  `123456789012 1234567890123 12345678901234 123456123456 111111111111 000000000000 123123123123 112233445566
  qwertyuiopas qwerty123456 qwertyuiop12 qwertyuiop123 1q2w3e4r5t6y 1qaz2wsx3edc q1w2e3r4t5y6 zaq12wsxcde3 1qazxsw23edc
  password1234 password12345 password123456 passwordpassword password1234! password123! passw0rd1234 p@ssw0rd1234 p@ssword1234
  iloveyou1234 iloveyou123456 letmein12345 welcome12345 welcome123456 welcome2024! welcome2025! welcome2026!
  administrator administrator1 admin1234567 admin123456789 adminadmin123 changeme1234 changeme12345 changemenow1
  football1234 baseball1234 monkey123456 sunshine1234 princess1234 dragon123456 superman1234 batman123456 starwars1234
  trustno1trustno1 michael12345 jennifer1234 qwertyqwerty asdfghjkl123 asdfasdfasdf zxcvbnm12345 abcdefghijkl abcdefgh1234
  abc123abc123 aaaaaaaaaaaa iloveyouiloveyou mypassword123 mypassword1234 secretpassword supersecret1 supersecret123
  correcthorsebatterystaple correcthorse letmeinletmein thisismypassword passwordispassword mynewpassword newpassword123
  liverpool1234 chelsea12345 arsenal12345 manchester12 manchesterunited southampton1 tottenham1234 everton12345
  summer2024!! winter2024!! spring2024!! autumn2024!! january2024! christmas123 happybirthday 1234567890qwerty
  computer1234 internet1234 whatever1234 nothing12345 qwerty1234567 pokemon12345 starwars12345 london123456 england12345
  unitedkingdom greatbritain britain12345 council12345 partnership1 community123 safety123456 hotline12345`.split(/\s+/).filter(Boolean),
);

/** Words that only need digits or symbols around them to make a common password. */
export const COMMON_WORDS: ReadonlySet<string> = new Set(
  `password passwort passw pass qwerty qwertz azerty asdf zxcv admin administrator root user guest login welcome letmein
  iloveyou loveyou love monkey dragon football soccer baseball basketball hockey golf tennis cricket rugby master shadow
  sunshine princess superman batman spiderman starwars pokemon michael jennifer jordan hunter ranger buster tigger
  charlie thomas jessica ashley daniel matthew andrew joshua george harry oliver jack william james
  trustno changeme secret freedom whatever nothing computer internet killer killme test testing tester abc abcd
  summer winter spring autumn january february march april may june july august september october november december
  monday tuesday wednesday thursday friday saturday sunday christmas birthday happy hello
  liverpool chelsea arsenal manchester united everton tottenham london england britain
  council partnership community safety hotline police staff office work saferline hollowmere
  qazwsx qweasd zaq xsw cde wsx edc`.split(/\s+/).filter(Boolean),
);
